import { afterEach, describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { createTopic, pushWithKcat, unique } from '../support/infra.js';
import { startTestShelf, startTestView } from '../support/in-process.js';
import { openStream, type OpenStream } from '../support/sse.js';
import { expectStreamHeadAlone } from '../support/pipelined.js';
import { waitFor } from '../support/wait-for.js';

const running: { stop(): Promise<void> }[] = [];
const streams: OpenStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

const added = (id: string) => JSON.stringify({ name: 'book-added', payload: { id, title: `Book ${id}` } });
// last-read sends a change only for what changes its list: a read.
const read = (id: string) => JSON.stringify({ name: 'book-read', payload: { id } });
const books = (stream: OpenStream) =>
  stream
    .changes()
    .filter((event) => event.json.view === 'booklist' && event.json.event === 'book-added')
    .map((event) => event.json.book);

/** A topic of one partition, its two views registered in Consul under fresh names, and a gateway over them. */
async function shelfOn() {
  const topic = unique('gw-changes');
  await createTopic(topic, 1);
  const names = { booklist: unique('booklist'), lastread: unique('lastread') };
  const views = await Promise.all([
    startTestView(listBooksView, { topic, register: true, name: names.booklist, 'check-interval': '1s' }),
    startTestView(lastReadView, { topic, register: true, name: names.lastread, 'check-interval': '1s' }),
  ]);
  running.push(...views);
  const start = async () => {
    const shelf = await startTestShelf(names);
    running.push(shelf);
    await waitFor(
      async () => {
        const known = (await shelf.send('GET', '/services')).body as Record<string, { instances: { status: string }[] }>;
        return Object.values(names).every((name) => known[name]?.instances.some((instance) => instance.status === 'passing'));
      },
      { timeout: 30_000, what: 'the gateway sees both views' },
    );
    await waitFor(
      async () => ((await shelf.send('GET', '/health')).body as { changes: Record<string, string> }).changes.booklist === 'live',
      { what: 'the gateway follows the views' },
    );
    return shelf;
  };
  return { topic, start, list: views[0] };
}

async function follow(url: string, headers: Record<string, string> = {}) {
  const stream = await openStream(url, headers);
  streams.push(stream);
  return stream;
}

describe('GET /bookshelf/changes on the gateway', () => {
  it('merges both views, with an id naming each view’s position, and resumes from it with nothing lost or twice', async () => {
    const { topic, start } = await shelfOn();
    const shelf = await start();
    const first = await follow(`${shelf.url}/bookshelf/changes`);
    expect(first.status).toBe(200);
    await pushWithKcat(topic, [added('g1'), added('g2'), read('g1')]);
    await waitFor(() => first.changes().length === 4, { what: 'three changes from booklist, one from lastreadbooks' });
    expect(new Set(first.changes().map((event) => event.json.view))).toEqual(new Set(['booklist', 'lastreadbooks']));
    const resumeFrom = first.lastId()!;
    expect(resumeFrom).toMatch(/^booklist=0:\d+;lastreadbooks=0:\d+$|^lastreadbooks=0:\d+;booklist=0:\d+$/);
    expect(resumeFrom).toContain('booklist=0:2');
    first.close();

    await pushWithKcat(topic, [added('g3'), added('g4'), read('g3'), read('g4')]);
    const second = await follow(`${shelf.url}/bookshelf/changes`, { 'Last-Event-ID': resumeFrom });
    await pushWithKcat(topic, [added('g5'), read('g5')]);
    await waitFor(() => books(second).length === 3, { what: 'three books' });
    expect(books(second)).toEqual(['g3', 'g4', 'g5']);
    await waitFor(() => second.changes().filter((event) => event.json.view === 'lastreadbooks').length === 3);
    expect(
      second
        .changes()
        .filter((event) => event.json.view === 'lastreadbooks')
        .map((event) => event.json.book),
    ).toEqual(['g3', 'g4', 'g5']);
  });

  it('serves a client resuming from before the gateway started from the view itself', async () => {
    const { topic, start, list } = await shelfOn();
    await pushWithKcat(topic, [added('o1'), added('o2'), added('o3')]);
    await waitFor(async () => (await list.get('/o3')).status === 200);
    const shelf = await start();
    const stream = await follow(`${shelf.url}/bookshelf/changes?lastEventId=${encodeURIComponent('booklist=0:0;lastreadbooks=0:0')}`);
    await pushWithKcat(topic, [added('o4')]);
    await waitFor(() => books(stream).length === 3, { what: 'three books' });
    expect(books(stream)).toEqual(['o2', 'o3', 'o4']);
  });

  it('answers HEAD with the head of a stream and nothing more, and the connection serves the next request', async () => {
    const { start } = await shelfOn();
    const shelf = await start();
    await expectStreamHeadAlone(shelf.url, '/bookshelf/changes', '/services');
  });

  it('refuses a Last-Event-ID it did not give', async () => {
    const { start } = await shelfOn();
    const shelf = await start();
    const response = await fetch(`${shelf.url}/bookshelf/changes`, { headers: { 'Last-Event-ID': 'someone=0:1' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_position', field: 'Last-Event-ID' });
  });
});
