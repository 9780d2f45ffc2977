import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../bookshelf/app/book-partition.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startTestBooks, startTestShelf, startTestView } from '../support/in-process.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { createTopic, unique } from '../support/infra.js';
import { deleteTopic, idOnPartition, ownersInConsul, readTopic, waitForCoverage } from '../support/owners.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

async function owners(instances: number, partitions = 6) {
  const topic = unique('owned');
  const name = unique('books');
  await createTopic(topic, partitions);
  cleanup.push(() => deleteTopic(topic));
  const started = [];
  for (let i = 0; i < instances; i++) {
    const books = await startTestBooks({ topic, name, register: true, 'session-timeout': 6, 'check-interval': '1s' });
    cleanup.push(() => books.stop());
    started.push(books);
  }
  const byPartition = await waitForCoverage(name, partitions, instances);
  const byId = new Map(started.map((b) => [b.id, b]));
  return { topic, name, instances: started, byPartition, ownerOf: (partition: number) => byId.get(byPartition.get(partition)!)! };
}

describe('books instances sharing a topic', () => {
  it('split its partitions among them, each published once in Consul, and a command sent to another is forwarded to the owner', async () => {
    const { topic, instances, byPartition, ownerOf } = await owners(3);
    expect(new Set(byPartition.values()).size).toBe(3);
    for (const books of instances) {
      const health = await books.send('GET', '/health');
      expect((health.body?.ownership as { owned: number[] }).owned.length).toBe(2);
    }
    // Every book is sent to an instance that does not own it: the owner answers, through it.
    const written: string[] = [];
    for (let partition = 0; partition < 6; partition++) {
      const id = idOnPartition(partition, 6);
      const owner = ownerOf(partition);
      const other = instances.find((b) => b !== owner)!;
      const added = await other.send('POST', '/books', { id, title: `Book ${partition}` });
      expect(added.status).toBe(201);
      expect(added.body?.position).toMatch(new RegExp(`^${partition}:\\d+$`));
      expect(await other.send('POST', `/books/${id}/finished`)).toMatchObject({ status: 204 });
      written.push(id);
    }
    const events = await readTopic(topic);
    for (const id of written) {
      const mine = events.filter((e) => e.value.aggregate === id);
      expect(mine.map((e) => e.value.name)).toEqual(['book-added', 'book-started', 'book-read']);
      expect(mine.map((e) => e.value.version)).toEqual([1, 2, 3]);
      expect(new Set(mine.map((e) => e.partition))).toEqual(new Set([partitionOf(id, 6)]));
    }
  });

  it('make a new book without an id on a partition the instance asked owns', async () => {
    const { instances, byPartition } = await owners(2, 4);
    for (const books of instances) {
      for (let i = 0; i < 5; i++) {
        const added = await books.send('POST', '/books', { title: 'No id' });
        expect(added.status).toBe(201);
        expect(byPartition.get(partitionOf(added.body?.id as string, 4))).toBe(books.id);
      }
    }
  });

  it('behind the gateway: each command goes to the owner of its book, and /services shows each instance’s partitions', async () => {
    const { name, byPartition } = await owners(3);
    const shelf = await startTestShelf({ books: name });
    cleanup.push(() => shelf.stop());
    await waitFor(
      async () =>
        (await ownersInConsul(name)).size === 6 &&
        ((await shelf.send('GET', '/services')).body?.[name] as { instances: unknown[] }).instances.length === 3,
      { what: 'gateway sees 3 owners' },
    );
    const services = (await shelf.send('GET', '/services')).body?.[name] as { instances: { id: string; partitions: string }[] };
    expect(services.instances.flatMap((i) => i.partitions.split(',')).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    for (let partition = 0; partition < 6; partition++) {
      const id = idOnPartition(partition, 6);
      const added = await waitFor(
        async () => {
          const answer = await shelf.send('POST', '/bookshelf/books', { id, title: 'Routed' });
          return answer.status === 201 && answer;
        },
        { what: 'add through the gateway' },
      );
      expect(added.headers.get('x-served-by')).toBe(byPartition.get(partition));
      const finished = await shelf.send('POST', `/bookshelf/books/${id}/finished`);
      expect(finished.status).toBe(204);
      expect(finished.headers.get('x-served-by')).toBe(byPartition.get(partition));
    }
  });

  it('answer a retried Idempotency-Key on another instance with the first answer, the book made once', async () => {
    const { topic, instances } = await owners(2, 4);
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const first = await a.send('POST', '/books', { title: 'Keyed' }, { 'Idempotency-Key': 'key-1' });
    expect(first.status).toBe(201);
    const again = await b.send('POST', '/books', { title: 'Keyed' }, { 'Idempotency-Key': 'key-1' });
    expect(again).toMatchObject({ status: 201, body: { id: first.body?.id, position: first.body?.position } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const events = (await readTopic(topic)).filter((e) => e.value.command === 'key-1');
    expect(events).toHaveLength(1);
  });
});

describe('views reading a topic written in transactions', () => {
  it('never show an aborted write, and count a log that ends in transaction markers as read', async () => {
    const topic = unique('txn');
    await createTopic(topic, 1);
    cleanup.push(() => deleteTopic(topic));
    const { testKafka } = await import('../support/infra.js');
    const producer = testKafka().producer({ transactionalId: `${topic}-writer`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    const event = (id: string, title: string) => ({
      key: id,
      value: JSON.stringify({
        id: `${id}-added`,
        name: 'book-added',
        created: new Date().toISOString(),
        aggregate: id,
        version: 1,
        command: null,
        payload: { id, title },
      }),
    });
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [event('gone', 'Aborted')] });
    await aborted.abort();
    const committed = await producer.transaction();
    const [result] = await committed.send({ topic, messages: [event('kept', 'Committed')] });
    await committed.commit();
    const view = await startTestView(listBooksView, { topic });
    cleanup.push(() => view.stop());
    const position = `0:${result!.baseOffset}`;
    const rows = await view.get(`/?position=${position}`);
    expect(rows.status).toBe(200);
    expect((rows.body as { id: string }[]).map((r) => r.id)).toEqual(['kept']);
    // offsets: 0 aborted record, 1 abort marker, 2 committed record, 3 commit marker: the end is 4, and it is reached.
    await waitFor(
      async () => {
        const health = (await view.get('/health')).body as { status: string; lag: number; partitions: Record<string, { applied: number }> };
        return health.status === 'pass' && health.partitions['0']?.applied === 3;
      },
      { what: 'view caught up past the commit marker' },
    );
  });
});
