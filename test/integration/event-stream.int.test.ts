import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventStream, type EventStream } from '../../bookshelf/adapters/http/event-stream.js';
import { openStream } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A bare server whose one route opens an event stream with the given options. */
async function serve(options: Parameters<typeof openEventStream>[1]) {
  const opened: EventStream[] = [];
  const app = new Koa();
  app.use((ctx) => {
    opened.push(openEventStream(ctx, options));
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  cleanup.push(
    () => new Promise((resolve) => server.close(resolve)),
    () => server.closeAllConnections(),
  );
  return { port: (server.address() as AddressInfo).port, opened };
}

describe('an event stream', () => {
  it('sends heartbeats as comment lines while nothing happens', async () => {
    const { port } = await serve({ heartbeatMs: 50 });
    const stream = await openStream(`http://127.0.0.1:${port}/`);
    cleanup.push(() => stream.close());
    expect(stream.headers.get('cache-control')).toBe('no-store');
    await waitFor(() => stream.comments.length >= 2, { what: 'two heartbeats' });
    expect(stream.comments[0]).toBe(': heartbeat');
  });

  it('drops a client that does not read rather than buffer for it without end', async () => {
    const { port, opened } = await serve({ maxBufferedBytes: 256 * 1024 });
    // A client that sends its request and then never reads.
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    cleanup.push(() => socket.destroy());
    socket.write(`GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
    await waitFor(() => opened.length === 1);
    const stream = opened[0]!;
    const data = JSON.stringify({ padding: 'x'.repeat(8 * 1024) });
    let sent = 0;
    while (stream.send({ data }) && sent < 10_000) sent++;
    expect(stream.closed).toBe(true);
    // What was queued for it stays within the bound plus what the kernel's buffers took.
    expect(sent * data.length).toBeLessThan(64 * 1024 * 1024);
  });
});
