import { afterEach, describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startTestBooks, startTestView } from '../support/in-process.js';
import { createTopic, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function shelf(partitions = 3) {
  const topic = unique('books');
  await createTopic(topic, partitions);
  const books = await startTestBooks({ topic });
  const list = await startTestView(listBooksView, { topic });
  const last = await startTestView(lastReadView, { topic });
  running.push(books, list, last);
  await waitFor(async () => (await books.send('GET', '/health')).status === 200, { what: 'books caught up' });
  return { topic, books, list, last };
}

const problem = (status: number, code: string) => ({ status, body: expect.objectContaining({ status, code, type: `/problems/${code}` }) });

describe('books: the Book aggregate', () => {
  it('adds a book, finishes it, and both views show it at the position it answered with', async () => {
    const { books, list, last } = await shelf();
    const added = await books.send('POST', '/books', { title: '1984', author: [{ name: 'George Orwell' }], type: 'novel', year: '1949' });
    expect(added.status).toBe(201);
    const id = added.body?.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(added.headers.get('location')).toBe(`/books/${id}`);
    expect(added.body).toEqual({
      id,
      title: '1984',
      author: [{ name: 'George Orwell' }],
      type: 'novel',
      year: '1949',
      position: expect.stringMatching(/^\d+:\d+$/),
    });
    expect(added.headers.get('x-bookshelf-position')).toBe(added.body?.position);

    const finished = await books.send('POST', `/books/${id}/finished`);
    expect(finished.status).toBe(204);
    const position = finished.headers.get('x-bookshelf-position')!;
    expect(position).toMatch(/^\d+:\d+$/);

    const row = await list.get(`/${id}?position=${position}`);
    expect(row.status).toBe(200);
    expect(row.body).toMatchObject({
      id,
      title: '1984',
      status: 'read',
      readCount: 1,
      rating: null,
      addedAt: expect.any(String),
      readAt: expect.any(String),
    });
    const lastRead = await last.get('/', { 'X-Bookshelf-Position': position });
    expect(lastRead.body).toEqual([expect.objectContaining({ id, title: '1984' })]);
  });

  it('keeps the id it is given, and refuses it a second time', async () => {
    const { books } = await shelf();
    expect(await books.send('POST', '/books', { id: 'b-42', title: 'Dune' })).toMatchObject({ status: 201, body: { id: 'b-42' } });
    expect(await books.send('POST', '/books', { id: 'b-42', title: 'Dune again' })).toMatchObject(problem(409, 'book_exists'));
  });

  it('applies every rule of the contract', async () => {
    const { books, list } = await shelf();
    await books.send('POST', '/books', { id: 'b1', title: 'Emma' });
    expect(await books.send('POST', '/books/nope/started')).toMatchObject(problem(404, 'unknown_book'));
    expect(await books.send('POST', '/books/nope/finished')).toMatchObject(problem(404, 'unknown_book'));
    expect(await books.send('PUT', '/books/nope/rating', { rating: 3 })).toMatchObject(problem(404, 'unknown_book'));
    expect(await books.send('DELETE', '/books/nope')).toMatchObject(problem(404, 'unknown_book'));

    expect(await books.send('PUT', '/books/b1/rating', { rating: 4 })).toMatchObject(problem(409, 'not_read_yet'));
    expect((await books.send('POST', '/books/b1/started')).status).toBe(204);
    expect((await books.send('POST', '/books/b1/finished')).status).toBe(204);
    expect(await books.send('PUT', '/books/b1/rating', { rating: 6 })).toMatchObject({
      ...problem(400, 'invalid_body'),
      body: expect.objectContaining({ field: 'rating' }),
    });
    const rated = await books.send('PUT', '/books/b1/rating', { rating: 5 });
    expect(rated.status).toBe(204);
    expect((await list.get(`/b1?position=${rated.headers.get('x-bookshelf-position')}`)).body).toMatchObject({
      status: 'read',
      rating: 5,
      readCount: 1,
    });

    const removed = await books.send('DELETE', '/books/b1');
    expect(removed.status).toBe(204);
    expect(await books.send('POST', '/books/b1/started')).toMatchObject(problem(409, 'book_removed'));
    expect(await books.send('POST', '/books/b1/finished')).toMatchObject(problem(409, 'book_removed'));
    expect(await books.send('PUT', '/books/b1/rating', { rating: 2 })).toMatchObject(problem(409, 'book_removed'));
    expect(await books.send('DELETE', '/books/b1')).toMatchObject(problem(409, 'book_removed'));
    expect(await books.send('POST', '/books', { id: 'b1', title: 'Emma' })).toMatchObject(problem(409, 'book_exists'));
    expect((await list.get(`/b1?position=${removed.headers.get('x-bookshelf-position')}`)).status).toBe(404);
  });

  it('answers bad input with the 4xx of the contract, never a 5xx', async () => {
    const { books } = await shelf(1);
    expect(await books.send('POST', '/books', '{"title": "no end"')).toMatchObject(problem(400, 'invalid_json'));
    expect(await books.send('POST', '/books', { title: 42 })).toMatchObject({
      ...problem(400, 'invalid_body'),
      body: expect.objectContaining({ field: 'title' }),
    });
    expect(await books.send('POST', '/books', { author: 'Nobody' })).toMatchObject({
      ...problem(400, 'invalid_body'),
      body: expect.objectContaining({ field: 'title' }),
    });
    expect(await books.send('POST', '/books', { title: 'x', colour: 'red' })).toMatchObject({
      ...problem(400, 'invalid_body'),
      body: expect.objectContaining({ field: 'colour' }),
    });
    expect(await books.send('POST', '/books', { title: 'x', id: 'has/slash' })).toMatchObject({
      ...problem(400, 'invalid_body'),
      body: expect.objectContaining({ field: 'id' }),
    });
    expect(await books.send('POST', '/books', [1, 2])).toMatchObject(problem(400, 'invalid_body'));
    expect(await books.send('POST', '/books', 'title=x', { 'Content-Type': 'application/x-www-form-urlencoded' })).toMatchObject(
      problem(415, 'unsupported_media_type'),
    );
    expect(await books.send('POST', '/books', { title: 'x'.repeat(70 * 1024) })).toMatchObject(problem(413, 'payload_too_large'));
    expect(await books.send('PUT', '/books/b1/rating', { rating: '5' })).toMatchObject(problem(400, 'invalid_body'));
    expect(await books.send('GET', '/shelves')).toMatchObject(problem(404, 'not_found'));
    expect((await books.send('PATCH', '/books')).status).toBe(405);
  });

  it('answers a repeated Idempotency-Key as the first time and writes nothing new, across a restart', async () => {
    const { topic, books, list } = await shelf();
    const key = { 'Idempotency-Key': 'add-dune-once' };
    const first = await books.send('POST', '/books', { title: 'Dune' }, key);
    const again = await books.send('POST', '/books', { title: 'Dune' }, key);
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, body: first.body });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const id = first.body?.id as string;
    const finishKey = { 'Idempotency-Key': 'finish-dune-once' };
    const finished = await books.send('POST', `/books/${id}/finished`, undefined, finishKey);
    expect((await books.send('POST', `/books/${id}/finished`, undefined, finishKey)).headers.get('x-bookshelf-position')).toBe(
      finished.headers.get('x-bookshelf-position'),
    );
    const rows = await list.get(`/?position=${finished.headers.get('x-bookshelf-position')}`);
    expect(rows.body).toEqual([expect.objectContaining({ id, readCount: 1 })]);

    await books.stop();
    const restarted = await startTestBooks({ topic });
    running.push(restarted);
    await waitFor(async () => (await restarted.send('GET', '/health')).status === 200, { what: 'books caught up again' });
    expect(await restarted.send('POST', '/books', { title: 'Dune' }, key)).toMatchObject({ status: 201, body: first.body });
    const replayed = await restarted.send('POST', `/books/${id}/finished`, undefined, finishKey);
    expect(replayed.status).toBe(204);
    expect(replayed.headers.get('x-bookshelf-position')).toBe(finished.headers.get('x-bookshelf-position'));
    expect(await restarted.send('POST', '/books', { id, title: 'Dune' })).toMatchObject(problem(409, 'book_exists'));
    const reread = await restarted.send('POST', `/books/${id}/finished`);
    expect((await list.get(`/${id}?position=${reread.headers.get('x-bookshelf-position')}`)).body).toMatchObject({ readCount: 2 });
  });

  it('refuses commands with 503 catching_up until it has read the log', async () => {
    const books = await startTestBooks({ topic: unique('nowhere'), broker: ['127.0.0.1:1'] });
    running.push(books);
    const answer = await books.send('POST', '/books', { title: 'Too early' });
    expect(answer).toMatchObject(problem(503, 'catching_up'));
    expect(answer.headers.get('retry-after')).toBe('1');
  });
});
