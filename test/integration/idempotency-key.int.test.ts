/** An Idempotency-Key reused with another request is 422, on the instance that took it and on any that reads the log later. */
import { describe, expect, it } from 'vitest';
import { startTestBooks } from '../support/in-process.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { createTopic, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

async function booksOn(topic: string) {
  const books = await startTestBooks({ topic });
  cleanup.push(() => books.stop());
  await waitFor(async () => (await books.send('GET', '/health')).status === 200, { what: 'books caught up' });
  return books;
}

describe('an Idempotency-Key', () => {
  it('with another body is 422 idempotency_key_reused, and the first answer stays, also for a books that starts later', async () => {
    const topic = unique('idem');
    await createTopic(topic, 3);
    const first = await booksOn(topic);
    const key = { 'Idempotency-Key': 'add-once' };
    const added = await first.send('POST', '/books', { title: 'Dune', year: '1965' }, key);
    expect(added.status).toBe(201);

    const other = await first.send('POST', '/books', { title: 'Emma' }, key);
    expect(other).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused', status: 422 } });
    expect(other.headers.get('content-type')).toMatch('application/problem+json');
    // The same body with its keys in another order is the same request.
    expect(await first.send('POST', '/books', { year: '1965', title: 'Dune' }, key)).toMatchObject({ status: 201, body: added.body });
    const id = added.body!.id as string;
    expect(await first.send('POST', `/books/${id}/started`, undefined, key)).toMatchObject({
      status: 422,
      body: { code: 'idempotency_key_reused' },
    });

    // An instance started after the first has stopped knows the key and its request from the log alone.
    await first.stop();
    const second = await booksOn(topic);
    expect(await second.send('POST', '/books', { title: 'Emma' }, key)).toMatchObject({
      status: 422,
      body: { code: 'idempotency_key_reused' },
    });
    const replayed = await second.send('POST', '/books', { title: 'Dune', year: '1965' }, key);
    expect(replayed).toMatchObject({ status: 201, body: added.body });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('that is empty or not printable ASCII is 400', async () => {
    const topic = unique('idem-bad');
    await createTopic(topic, 1);
    const books = await booksOn(topic);
    for (const bad of ['', 'a b', 'k'.repeat(256)]) {
      expect(await books.send('POST', '/books', { title: 'Dune' }, { 'Idempotency-Key': bad })).toMatchObject({
        status: 400,
        body: { code: 'invalid_body', field: 'Idempotency-Key' },
      });
    }
  });
});
