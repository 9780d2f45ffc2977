import { describe, expect, it } from 'vitest';
import { FencedError } from '../../bookshelf/adapters/kafka/partition-writer.js';
import { startTestBooks } from '../support/in-process.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { createTopic, unique } from '../support/infra.js';
import { deleteTopic, idOnPartition, readTopic } from '../support/owners.js';
import { partitionWriter } from '../support/partition-writers.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

async function topicOf(partitions: number) {
  const topic = unique('fence');
  await createTopic(topic, partitions);
  cleanup.push(() => deleteTopic(topic));
  return topic;
}

const writer = (topic: string, transactionalId: string, failures: string[]) =>
  partitionWriter(cleanup, topic, transactionalId, (kind) => failures.push(kind));

const message = (n: number) => ({
  key: `k${n}`,
  value: JSON.stringify({ id: `e${n}`, name: 'book-added', payload: { id: `k${n}`, title: `T${n}` } }),
});

describe('fencing a partition’s previous writer (real Kafka)', () => {
  it('a second writer with the same transactional id makes the first one’s sends fail, and none of them lands', async () => {
    const topic = await topicOf(1);
    const id = `${topic}-0`;
    const oldFailures: string[] = [];
    const old = writer(topic, id, oldFailures);
    await old.open();
    expect(await old.append([message(1)])).toEqual([{ partition: 0, offset: 0 }]);

    const newer = writer(topic, id, []);
    await newer.open();
    await expect(old.append([message(2)])).rejects.toBeInstanceOf(FencedError);
    expect(oldFailures).toEqual(['fenced']);
    // Refused at once from now on.
    await expect(old.append([message(3)])).rejects.toMatchObject({ code: 'rebalancing' });
    await newer.append([message(4)]);
    const values = (await readTopic(topic)).map((e) => e.value.id);
    expect(values).toEqual(['e1', 'e4']);
  });

  it('commands waiting while the partition is taken over are answered 2xx only if their events are in the log', async () => {
    const topic = await topicOf(1);
    const id = `${topic}-0`;
    const old = writer(topic, id, []);
    await old.open();
    const answers: Promise<unknown>[] = [];
    let openedAt = Infinity;
    const outcomeOf = (error: Error) =>
      error instanceof FencedError || (error as { code?: string }).code === 'rebalancing' ? ('refused' as const) : error;
    // Commands keep coming while the partition is taken over, and for a moment after.
    const sending = (async () => {
      for (let n = 0; n < openedAt + 20 && n < 5000; n++) {
        answers.push(old.append([message(n)]).then(() => 'ok' as const, outcomeOf));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const newer = writer(topic, id, []);
    await newer.open();
    openedAt = answers.length;
    await sending;
    const outcome = await Promise.all(answers);
    const written = new Set((await readTopic(topic)).map((e) => e.value.id));
    expect(outcome.filter((o) => o !== 'ok' && o !== 'refused')).toEqual([]);
    expect(outcome).toContain('refused');
    expect(outcome).toContain('ok');
    outcome.forEach((o, n) => expect({ n, landed: written.has(`e${n}`) }).toEqual({ n, landed: o === 'ok' }));
  });

  it('books, fenced by a newer writer of a partition, answers its command 503 and stops taking commands for it', async () => {
    const topic = await topicOf(2);
    const name = unique('books');
    const books = await startTestBooks({ topic, name });
    cleanup.push(() => books.stop());
    await waitFor(async () => (await books.send('GET', '/health')).status === 200, { what: 'books owns both partitions' });
    const [onZero, onOne] = [idOnPartition(0, 2), idOnPartition(1, 2)];
    expect(await books.send('POST', '/books', { id: onZero, title: 'Before' })).toMatchObject({ status: 201 });
    // What a new owner does when it takes partition 0 over: open a writer with the same transactional id.
    const takeover = writer(topic, `${name}-${topic}-${topic}-0`, []);
    await takeover.open();
    const refused = await books.send('POST', `/books/${onZero}/finished`);
    expect(refused).toMatchObject({ status: 503, body: { code: 'rebalancing' } });
    expect(await books.send('POST', `/books/${onZero}/started`)).toMatchObject({ status: 503, body: { code: 'rebalancing' } });
    expect(((await books.send('GET', '/health')).body?.ownership as { owned: number[] }).owned).toEqual([1]);
    expect(await books.send('POST', '/books', { id: onOne, title: 'Other partition' })).toMatchObject({ status: 201 });
    const names = (await readTopic(topic)).filter((e) => e.value.aggregate === onZero).map((e) => e.value.name);
    expect(names).toEqual(['book-added']);
  });
});
