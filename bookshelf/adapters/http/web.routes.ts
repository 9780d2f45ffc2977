/** GET /: the shelf as a web page, and its scripts and styles under /web/, all served from one folder. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Router from '@koa/router';

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

const FILE = /^[a-z0-9-]+\.(js|css|svg)$/;

export function webRoutes(folder: string): Router {
  const cache = new Map<string, Buffer>();
  const load = async (file: string): Promise<Buffer> => {
    let content = cache.get(file);
    if (content === undefined) {
      content = await readFile(join(folder, file));
      cache.set(file, content);
    }
    return content;
  };

  const router = new Router();
  router.get('/', async (ctx) => {
    ctx.type = types.html!;
    // The page is small and changes with the code: always asked again, its parts cached briefly.
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = await load('index.html');
  });
  router.get('/web/:file', async (ctx, next) => {
    const file = ctx.params.file!;
    const match = FILE.exec(file);
    let content: Buffer | undefined;
    try {
      if (match) content = await load(file);
    } catch {
      // Not one of the page's files.
    }
    if (!match || content === undefined) {
      await next();
      return;
    }
    ctx.type = types[match[1]!]!;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = content;
  });
  return router;
}
