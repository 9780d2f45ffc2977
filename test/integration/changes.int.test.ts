import { afterEach, describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { createTopic, pushWithKcat, unique } from '../support/infra.js';
import { openStream, type OpenStream } from '../support/sse.js';
import { expectStreamHeadAlone } from '../support/pipelined.js';
import { startTestView, tempStateDir } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const running: { stop(): Promise<void> }[] = [];
const streams: OpenStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

const line = (name: string, payload: object) => JSON.stringify({ name, payload });

async function topicWithView<V>(definition: Parameters<typeof startTestView<V>>[0]) {
  const topic = unique('changes');
  await createTopic(topic, 1);
  const view = await startTestView(definition, { topic });
  running.push(view);
  await waitFor(async () => (await view.get('/health')).status === 200, { what: 'view caught up' });
  return { topic, view };
}

async function follow(url: string, headers: Record<string, string> = {}) {
  const stream = await openStream(url, headers);
  streams.push(stream);
  return stream;
}

describe('GET /changes of a view', () => {
  it('sends one event per applied change, with the view’s position token after it as id, and its row for the book', async () => {
    const { topic, view } = await topicWithView(listBooksView);
    await pushWithKcat(topic, [line('book-added', { id: 'b1', title: 'Dune' })]);
    await waitFor(async () => (await view.get('/b1')).status === 200);

    const stream = await follow(`${view.url}/changes`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await waitFor(() => stream.events.length >= 1);
    expect(stream.events[0]).toMatchObject({ event: 'status', id: '0:0', json: { view: 'booklist', lag: 0, caughtUp: true } });

    await pushWithKcat(topic, [line('book-started', { id: 'b1' }), line('unknown-name', { id: 'b1' }), line('book-read', { id: 'b1' })]);
    await waitFor(() => stream.changes().length === 2, { what: 'two changes' });
    expect(
      stream.changes().map(({ id, json }) => ({ id, event: json.event, at: json.at, status: (json.row as { status: string }).status })),
    ).toEqual([
      { id: '0:1', event: 'book-started', at: '0:1', status: 'reading' },
      { id: '0:3', event: 'book-read', at: '0:3', status: 'read' },
    ]);
    expect(stream.changes()[0]!.json).toMatchObject({ view: 'booklist', book: 'b1', row: { id: 'b1', title: 'Dune', readCount: 0 } });
    expect(stream.changes()[1]!.json).toMatchObject({ row: { status: 'read', readCount: 1 } });
  });

  it('resumes from Last-Event-ID with exactly the changes missed, each once, then the live ones', async () => {
    const { topic, view } = await topicWithView(listBooksView);
    const first = await follow(`${view.url}/changes`);
    await pushWithKcat(topic, [line('book-added', { id: 'r1', title: 'One' })]);
    await waitFor(() => first.changes().length === 1);
    const resumeFrom = first.lastId()!;
    first.close();

    await pushWithKcat(topic, [line('book-added', { id: 'r2', title: 'Two' }), line('book-added', { id: 'r3', title: 'Three' })]);
    await waitFor(async () => (await view.get('/r3')).status === 200);
    const second = await follow(`${view.url}/changes`, { 'Last-Event-ID': resumeFrom });
    await pushWithKcat(topic, [line('book-added', { id: 'r4', title: 'Four' })]);
    await waitFor(() => second.changes().length === 3, { what: 'three changes' });
    expect(second.changes().map((event) => event.json.book)).toEqual(['r2', 'r3', 'r4']);
    expect(second.changes().map((event) => event.id)).toEqual(['0:1', '0:2', '0:3']);

    const byQuery = await follow(`${view.url}/changes?lastEventId=0:2`);
    await waitFor(() => byQuery.changes().length === 1);
    expect(byQuery.changes()[0]!.json.book).toBe('r4');
  });

  it('tells a client to reload when the changes it lacks are no longer kept', async () => {
    const { topic, view } = await topicWithView(listBooksView);
    const count = 10_050;
    await pushWithKcat(
      topic,
      Array.from({ length: count }, (_, i) => line('book-added', { id: `m${i}`, title: `Book ${i}` })),
    );
    await waitFor(async () => (await view.get(`/m${count - 1}`)).status === 200, { what: 'every book applied' });
    const stream = await follow(`${view.url}/changes`, { 'Last-Event-ID': '0:0' });
    await waitFor(() => stream.events.length >= 2);
    expect(stream.events.map((event) => event.event)).toEqual(['reload', 'status']);
    expect(stream.events[0]!.id).toBe(`0:${count - 1}`);
    const recent = await follow(`${view.url}/changes`, { 'Last-Event-ID': `0:${count - 3}` });
    await waitFor(() => recent.changes().length === 2);
    expect(recent.changes().map((event) => event.json.book)).toEqual([`m${count - 2}`, `m${count - 1}`]);
  });

  it('ends its streams as soon as it stops, so that their clients move to another instance', async () => {
    const { view } = await topicWithView(listBooksView);
    const stream = await follow(`${view.url}/changes`);
    await waitFor(() => stream.events.length >= 1);
    let ended = false;
    void stream.ended.then(() => (ended = true));
    const stopping = view.stop();
    // Well before the stop's grace for requests in flight (1 s) ends.
    await waitFor(() => ended, { timeout: 500, interval: 10, what: 'the stream ended' });
    await stopping;
  });

  it('started from a snapshot, tells a client resuming from before the snapshot to reload, and resumes one from after it', async () => {
    const topic = unique('changes-snap');
    await createTopic(topic, 1);
    const dir = tempStateDir();
    const first = await startTestView(listBooksView, { topic, 'state-dir': dir });
    running.push(first);
    await pushWithKcat(topic, [
      line('book-added', { id: 's1', title: 'One' }),
      line('book-added', { id: 's2', title: 'Two' }),
      line('book-added', { id: 's3', title: 'Three' }),
    ]);
    await waitFor(async () => (await first.get('/s3')).status === 200);
    await first.stop();

    const again = await startTestView(listBooksView, { topic, 'state-dir': dir });
    running.push(again);
    await waitFor(async () => ((await again.get('/health')).body as { restored?: { from: string } }).restored?.from === 'snapshot', {
      what: 'started from the snapshot',
    });
    const before = await follow(`${again.url}/changes`, { 'Last-Event-ID': '0:0' });
    await waitFor(() => before.events.length >= 2);
    expect(before.events.map((event) => event.event)).toEqual(['reload', 'status']);

    const after = await follow(`${again.url}/changes`, { 'Last-Event-ID': '0:2' });
    await pushWithKcat(topic, [line('book-added', { id: 's4', title: 'Four' })]);
    await waitFor(() => after.changes().length === 1);
    expect(after.events.map((event) => event.event)).toEqual(['status', 'message']);
    expect(after.changes()[0]!.json.book).toBe('s4');
  });

  it('answers HEAD with the head of a stream and nothing more, and the connection serves the next request', async () => {
    const { view } = await topicWithView(listBooksView);
    await expectStreamHeadAlone(view.url, '/changes', '/health');
  });

  it('refuses a Last-Event-ID that is not a position token', async () => {
    const { view } = await topicWithView(listBooksView);
    const response = await fetch(`${view.url}/changes`, { headers: { 'Last-Event-ID': 'yesterday' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'invalid_position', field: 'Last-Event-ID' });
  });

  it('of last-read sends only what changes its list, carrying the last read books as they are after the change', async () => {
    const { topic, view } = await topicWithView(lastReadView);
    const stream = await follow(`${view.url}/changes`);
    await pushWithKcat(topic, [
      line('book-added', { id: 'l1', title: 'Emma' }),
      line('book-added', { id: 'l2', title: 'Persuasion' }),
      line('book-started', { id: 'l1' }),
      line('book-read', { id: 'l1' }),
      line('book-rated', { id: 'l1', rating: 5 }),
      line('book-removed', { id: 'l2' }),
      line('book-removed', { id: 'l1' }),
    ]);
    // Changes arrive in log order: once the last event's is here, any sent before it are too.
    await waitFor(() => stream.changes().some((change) => change.id === '0:6'), { what: 'the last removal' });
    expect(stream.changes().map(({ id, json }) => ({ id, event: json.event, book: json.book }))).toEqual([
      { id: '0:3', event: 'book-read', book: 'l1' },
      { id: '0:6', event: 'book-removed', book: 'l1' },
    ]);
    expect(stream.changes()[0]!.json).toMatchObject({ view: 'lastreadbooks', lastRead: [{ id: 'l1', title: 'Emma' }] });
    expect(stream.changes()[1]!.json).toMatchObject({ lastRead: [] });
  });
});
