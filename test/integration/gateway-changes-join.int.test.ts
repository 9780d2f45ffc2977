/**
 * A client of the gateway's change stream that came before the gateway followed the view gets a stream of its own
 * from the view; once the gateway follows it, the client joins the shared stream and its own one ends. The view here
 * is a small Server-Sent Events server that counts its streams: what is tested is the gateway's side of the wire.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayChangesRoutes } from '../../bookshelf/adapters/http/gateway-changes.routes.js';
import { openStream, type OpenStream } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
};

/** One partition of changes; each stream gets what comes after its Last-Event-ID. The first stream is answered only once released. */
async function fakeView() {
  const changes: string[] = [];
  const open = new Set<{ res: ServerResponse; next: number }>();
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let streams = 0;
  const frame = (offset: number) =>
    `id: 0:${offset}\ndata: ${JSON.stringify({ view: 'booklist', event: 'book-added', book: changes[offset], at: `0:${offset}` })}\n\n`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const first = streams++ === 0;
    const lastId = req.headers['last-event-id'];
    const next = typeof lastId === 'string' ? Number(lastId.split(':')[1]) + 1 : changes.length;
    void (first ? released : Promise.resolve()).then(() => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`id: 0:${changes.length - 1}\nevent: status\ndata: {"view":"booklist","lag":0,"caughtUp":true}\n\n`);
      const client = { res, next };
      for (; client.next < changes.length; client.next++) res.write(frame(client.next));
      open.add(client);
      res.on('close', () => open.delete(client));
    });
  });
  server.keepAliveTimeout = 0;
  const port = await listen(server);
  cleanups.push(() => {
    for (const { res } of open) res.destroy();
  });
  return {
    port,
    release,
    open: () => open.size,
    add(book: string) {
      changes.push(book);
      for (const client of open) for (; client.next < changes.length; client.next++) client.res.write(frame(client.next));
    },
  };
}

describe("the gateway's change stream for a client that came before the gateway followed the view", () => {
  it('moves the client onto the shared stream at the next change, with nothing lost or twice, and ends its own stream', async () => {
    const view = await fakeView();
    view.add('b0');
    const changes = gatewayChangesRoutes({
      instances: () => [{ id: 'booklist-1', address: '127.0.0.1', port: view.port }],
      views: { booklist: 'booklist' },
    });
    cleanups.push(() => changes.close());
    const handle = new Koa().use(changes.router.routes()).callback();
    const gateway = await listen(createServer((req, res) => void handle(req, res)));

    const client: OpenStream = await openStream(`http://127.0.0.1:${gateway}/bookshelf/changes`);
    cleanups.push(() => client.close());
    await waitFor(() => view.open() === 1 && client.events.length > 0, { what: "the client's own stream from the view" });
    expect(changes.state().booklist).toBe('connecting');

    view.release();
    await waitFor(() => changes.state().booklist === 'live', { what: 'the gateway follows the view' });
    expect(view.open()).toBe(2);

    view.add('b1');
    await waitFor(() => view.open() === 1, { what: "the client's own stream to end" });
    for (const book of ['b2', 'b3']) view.add(book);
    await waitFor(() => client.changes().length === 3, { what: 'three changes' });
    expect(client.changes().map((event) => event.json.book)).toEqual(['b1', 'b2', 'b3']);
    expect(client.lastId()).toBe('booklist=0:3');
    expect(view.open()).toBe(1);
  });
});
