/** Position tokens and conditional reads, as a client sees them on a view and through the gateway. */
import { describe, expect, it } from 'vitest';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startTestBooks, startTestShelf, startTestView } from '../support/in-process.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { createTopic, produce, testKafka, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

async function listBooks(topic: string) {
  const view = await startTestView(listBooksView, { topic });
  cleanup.push(() => view.stop());
  await waitFor(async () => (await view.get('/health')).status === 200, { what: 'list-books caught up' });
  return view;
}

const added = (id: string) => JSON.stringify({ name: 'book-added', payload: { id, title: `Book ${id}` } });

describe('a position token', () => {
  it('beyond the end of the log is refused at once with 409 position_beyond_log, not waited for', async () => {
    const topic = unique('beyond');
    await createTopic(topic, 3);
    const view = await listBooks(topic);
    const started = Date.now();
    const answer = await view.get('/?position=2:1041');
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ code: 'position_beyond_log', status: 409, field: 'position' });
    expect(Date.now() - started).toBeLessThan(1500);
    // A partition the topic does not have is beyond it too, in the header as in the query.
    expect((await view.get('/', { 'X-Bookshelf-Position': '7:0' })).body).toMatchObject({ code: 'position_beyond_log' });
  });

  it('that Kafka acknowledged is never called beyond the log, however soon it is read', async () => {
    const topic = unique('acked');
    await createTopic(topic, 3);
    const view = await listBooks(topic);
    const producer = testKafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    // Read the moment the write is acknowledged: the view has most likely not fetched it yet.
    for (let i = 0; i < 20; i++) {
      const [result] = await producer.send({ topic, acks: -1, messages: [{ key: `b${i}`, value: added(`b${i}`) }] });
      const answer = await view.get(`/b${i}?position=${result!.partition}:${result!.baseOffset}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
  });

  it('given both in the header and the query must be valid and reached', async () => {
    const topic = unique('both');
    await createTopic(topic, 1);
    const view = await listBooks(topic);
    expect((await view.get('/?position=x', { 'X-Bookshelf-Position': '0:0' })).body).toMatchObject({ code: 'invalid_position' });
    expect((await view.get('/?position=0:5', { 'X-Bookshelf-Position': '0:0' })).body).toMatchObject({ code: 'position_beyond_log' });
    expect((await view.get('/?position=', {})).body).toMatchObject({ code: 'invalid_position' });
  });

  it('refuses a wait above its maximum, and an empty status filter', async () => {
    const topic = unique('query');
    await createTopic(topic, 1);
    const view = await listBooks(topic);
    expect(await view.get('/?wait=10001')).toMatchObject({ status: 400, body: { code: 'invalid_query', field: 'wait' } });
    expect((await view.get('/?wait=10000')).status).toBe(200);
    expect(await view.get('/?status=')).toMatchObject({ status: 400, body: { code: 'invalid_query', field: 'status' } });
  });
});

describe('a conditional read', () => {
  it('carries a strong ETag of the position; If-None-Match gets 304 with no body until the view moves', async () => {
    const topic = unique('etag');
    await createTopic(topic, 3);
    const view = await listBooks(topic);
    await produce(topic, [{ key: 'b1', value: added('b1') }]);
    const first = await waitFor(async () => {
      const answer = await view.get('/');
      return (answer.body as unknown[]).length === 1 && answer;
    });
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${first.headers.get('x-bookshelf-position')}"`);
    const again = await fetch(`${view.url}/`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await fetch(`${view.url}/b1`, { headers: { 'If-None-Match': `W/${etag}, "other"` } })).status).toBe(304);
    expect((await fetch(`${view.url}/nope`, { headers: { 'If-None-Match': etag } })).status).toBe(404);

    await produce(topic, [{ key: 'b2', value: added('b2') }]);
    const changed = await waitFor(async () => {
      const answer = await fetch(`${view.url}/`, { headers: { 'If-None-Match': etag } });
      return answer.status === 200 && answer;
    });
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as unknown[]).length).toBe(2);
  });

  it('keeps its ETag while only lines that change nothing move the position: a rejected line, an aborted write', async () => {
    const topic = unique('etag-same');
    await createTopic(topic, 1);
    const view = await listBooks(topic);
    const position = await produce(topic, [{ key: 'b1', value: added('b1') }]);
    const first = await view.get(`/?position=${position}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${position}"`);

    const movedPast = async (from: string) =>
      waitFor(async () => {
        const answer = await fetch(`${view.url}/`, { headers: { 'If-None-Match': etag } });
        return answer.headers.get('x-bookshelf-position') !== from && answer;
      });
    await produce(topic, [{ key: 'b1', value: 'not an event' }]);
    const afterRejected = await movedPast(position);
    expect(afterRejected.status).toBe(304);
    expect(afterRejected.headers.get('etag')).toBe(etag);

    // An aborted transaction leaves its record and its abort marker: the position passes both, the body is the same.
    const producer = testKafka().producer({ transactionalId: `${topic}-aborts`, idempotent: true, maxInFlightRequests: 1 });
    cleanup.push(() => producer.disconnect());
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic, acks: -1, messages: [{ key: 'b9', value: added('b9') }] });
    await transaction.abort();
    const afterAbort = await movedPast(afterRejected.headers.get('x-bookshelf-position')!);
    expect(afterAbort.status).toBe(304);
    expect(afterAbort.headers.get('etag')).toBe(etag);
    expect(afterAbort.headers.get('x-bookshelf-position')).toBe('0:3');

    await produce(topic, [{ key: 'b2', value: added('b2') }]);
    const changed = await waitFor(async () => {
      const answer = await fetch(`${view.url}/`, { headers: { 'If-None-Match': etag } });
      return answer.status === 200 && answer;
    });
    expect(changed.headers.get('etag')).toBe(`"${changed.headers.get('x-bookshelf-position')}"`);
    expect(((await changed.json()) as { id: string }[]).map((book) => book.id)).toEqual(['b1', 'b2']);
  });

  it('gets 304 for an ETag of a position over several partitions, whose commas a list of tags must not split', async () => {
    const topic = unique('etag-parts');
    await createTopic(topic, 3);
    const view = await listBooks(topic);
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
    await produce(
      topic,
      ids.map((id) => ({ key: id, value: added(id) })),
    );
    const read = await waitFor(async () => {
      const answer = await view.get('/');
      return (answer.body as unknown[]).length === ids.length && answer;
    });
    const etag = read.headers.get('etag')!;
    expect(etag).toContain(',');
    expect((await fetch(`${view.url}/`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await fetch(`${view.url}/`, { headers: { 'If-None-Match': `"other", W/${etag}` } })).status).toBe(304);
  });

  it('works the same through the gateway, which reads at least what it wrote', async () => {
    const topic = unique('etag-gw');
    const names = { books: unique('books'), booklist: unique('booklist') };
    await createTopic(topic, 3);
    const books = await startTestBooks({ topic, name: names.books, register: true, 'check-interval': '1s' });
    cleanup.push(() => books.stop());
    const view = await startTestView(listBooksView, { topic, name: names.booklist, register: true, 'check-interval': '1s' });
    cleanup.push(() => view.stop());
    const shelf = await startTestShelf(names);
    cleanup.push(() => shelf.stop());
    await waitFor(async () => (await shelf.send('POST', '/bookshelf/books', { id: 'gw-1', title: 'Dune' })).status === 201, {
      what: 'the gateway to reach books',
    });
    // No token given: the gateway's own write is read all the same.
    const read = await waitFor(async () => {
      const answer = await fetch(`${shelf.url}/bookshelf/books/gw-1`);
      return answer.status === 200 && answer;
    });
    expect(read.headers.get('etag')).toMatch(/^"[0-9:,]+"$/);
    // The view may still pass the transaction's commit marker after the event: its position, and so the tag, moves
    // once more with nothing else changed. Its tag is sent back until one holds.
    const again = await waitFor(async () => {
      const etag = (await fetch(`${shelf.url}/bookshelf/books/gw-1`)).headers.get('etag')!;
      const answer = await fetch(`${shelf.url}/bookshelf/books/gw-1`, { headers: { 'If-None-Match': etag } });
      return answer.status === 304 && answer;
    });
    expect(await again.text()).toBe('');
    // Removed through the gateway, and at once gone from its reads.
    expect((await shelf.send('DELETE', '/bookshelf/books/gw-1')).status).toBe(204);
    expect((await shelf.send('GET', '/bookshelf/books/gw-1')).status).toBe(404);
  });
});
