import { describe, expect, it } from 'vitest';
import { startTestBooks } from '../support/in-process.js';
import { extraBroker } from '../support/kafka-brokers.js';
import { createTopic, testKafka, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

async function readTitles(topic: string, broker: string): Promise<string[]> {
  const admin = testKafka(broker).admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = testKafka(broker).consumer({ groupId: unique('reader') });
  const titles: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  // Offsets also number transaction markers and aborted records: read each partition to its end, not a count.
  const next = new Map<number, number>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => next.set(payload.partition, Number(payload.lastOffset) + 1));
  await consumer.run({
    eachMessage: ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as { name: string; payload: { title?: string } };
      if (event.name === 'book-added' && event.payload.title) titles.push(event.payload.title);
      return Promise.resolve();
    },
  });
  await waitFor(() => ends.every((end) => Number(end.high) === 0 || (next.get(end.partition) ?? 0) >= Number(end.high)), {
    what: 'the topic read to its end',
  });
  await consumer.disconnect();
  return titles.sort();
}

describe('books when Kafka goes away', () => {
  const cleanup = cleanupAfterAll();

  it('answers 503 broker_unavailable and writes nothing, then works again when Kafka is back', async () => {
    const broker = await extraBroker();
    cleanup.push(() => broker.remove());
    await broker.start();
    const topic = unique('down');
    await createTopic(topic, 3, broker.address);
    const books = await startTestBooks({ topic, broker: [broker.address] });
    cleanup.push(() => books.stop());
    await waitFor(async () => (await books.send('GET', '/health')).status === 200, { what: 'books caught up' });
    expect((await books.send('POST', '/books', { title: 'Before' })).status).toBe(201);

    await broker.stop();
    const refused = await books.send('POST', '/books', { title: 'While down' });
    expect(refused).toMatchObject({ status: 503, body: { code: 'broker_unavailable' } });
    expect(refused.headers.get('retry-after')).toBe('1');

    await broker.start();
    const after = await waitFor(
      async () => {
        const answer = await books.send('POST', '/books', { title: 'After' });
        return answer.status === 201 && answer;
      },
      { timeout: 60_000, interval: 500, what: 'a command accepted again' },
    );
    expect(after.body).toMatchObject({ title: 'After' });
    expect(await readTitles(topic, broker.address)).toEqual(['After', 'Before']);
  });
});
