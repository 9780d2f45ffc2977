/** `GET /snapshot`: the current snapshot file, streamed to a peer that seeds itself from it. */
import { open } from 'node:fs/promises';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { ProblemError } from './problem.js';

/** Bytes read from the file at once: a peer sends a snapshot of a million books with half the CPU of 64 KiB reads. */
const SEND_CHUNK = 1 << 20;

export interface SnapshotSource {
  /**
   * The path and name of the snapshot to hand over, or undefined when there is none; with `write: false`, the newest
   * as it is, never a new one.
   */
  current(options: { write: boolean }): Promise<{ path: string; name: string } | undefined>;
}

export function snapshotRoutes(source: SnapshotSource, guard?: Middleware): Router {
  const router = new Router();
  const handlers: Middleware[] = guard ? [guard] : [];
  router.get('/snapshot', ...handlers, async (ctx) => {
    // A HEAD describes the newest snapshot: it never has one written, as a GET may when the newest is stale.
    const head = ctx.method === 'HEAD';
    const snapshot = await source.current({ write: !head });
    if (snapshot === undefined) throw new ProblemError('no_snapshot', 'no snapshot to hand over: none written yet, or --no-snapshots');
    // Opened before it is sent: a snapshot deleted meanwhile (only the newest few are kept) is still read whole.
    const handle = await open(snapshot.path, 'r');
    const { size } = await handle.stat();
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Bookshelf-Snapshot', snapshot.name);
    ctx.type = 'application/x-ndjson';
    ctx.length = size;
    if (head) {
      await handle.close();
      ctx.status = 200;
      return;
    }
    ctx.body = handle.createReadStream({ highWaterMark: SEND_CHUNK });
  });
  return router;
}
