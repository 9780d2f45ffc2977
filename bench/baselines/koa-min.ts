/**
 * A reference for P2: the smallest Koa app answering the same bytes, to tell the framework's share
 * from Bookshelf's own.
 *   node dist-bench/bench/baselines/koa-min.js <body-file> <content-type>   (prints its port)
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

const [bodyFile, contentType = 'application/json'] = process.argv.slice(2);
const body = readFileSync(bodyFile!, 'utf8');
const app = new Koa();
app.use((ctx) => {
  ctx.type = contentType;
  ctx.body = body;
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
