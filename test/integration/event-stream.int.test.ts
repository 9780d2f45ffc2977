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

  it('sends the frames of one turn in one write, each still an event of its own', async () => {
    const { port, opened } = await serve({});
    // The raw bytes show the chunks of the chunked encoding: each write is one, with its size line before it.
    const raw = connect(port, '127.0.0.1');
    cleanup.push(() => raw.destroy());
    let bytes = '';
    raw.setEncoding('utf8');
    raw.on('data', (chunk: string) => (bytes += chunk));
    raw.write(`GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
    const parsed = await openStream(`http://127.0.0.1:${port}/`);
    cleanup.push(() => parsed.close());
    await waitFor(() => opened.length === 2);
    for (const stream of opened) for (const id of ['1', '2', '3']) stream.send({ id, data: JSON.stringify({ n: Number(id) }) });

    await waitFor(() => parsed.events.length === 3, { what: 'three events' });
    expect(parsed.events.map(({ id, json }) => ({ id, json }))).toEqual([
      { id: '1', json: { n: 1 } },
      { id: '2', json: { n: 2 } },
      { id: '3', json: { n: 3 } },
    ]);
    await waitFor(() => bytes.includes('id: 3'));
    expect(bytes).toMatch(/\r\nid: 1\ndata: \{"n":1\}\n\nid: 2\ndata: \{"n":2\}\n\nid: 3\ndata: \{"n":3\}\n\n\r\n/);
  });

  it('drops a client that stopped reading turn after turn, while one that reads gets every frame', async () => {
    const { port, opened } = await serve({ maxBufferedBytes: 256 * 1024 });
    const reader = await openStream(`http://127.0.0.1:${port}/`);
    cleanup.push(() => reader.close());
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    cleanup.push(() => socket.destroy());
    socket.write(`GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
    await waitFor(() => opened.length === 2);
    const [open, stuck] = opened as [EventStream, EventStream];
    const padding = 'x'.repeat(8 * 1024);
    let id = 0;
    // Ten frames a turn, turn after turn: what piles up is what the client did not take.
    while (!stuck.closed && id < 20_000) {
      for (let i = 0; i < 10; i++, id++)
        for (const stream of [open, stuck]) stream.send({ id: String(id), data: JSON.stringify({ id, padding }) });
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(stuck.closed).toBe(true);
    expect(open.closed).toBe(false);
    await waitFor(() => reader.events.length === id, { what: 'every frame at the client that reads' });
    expect(reader.events.map((event) => event.id)).toEqual(Array.from({ length: id }, (_, i) => String(i)));
  });
});
