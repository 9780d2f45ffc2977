import { describe, expect, it } from 'vitest';
import { startTestBooks } from '../support/books.js';
import { extraBroker } from '../support/extra-broker.js';
import { createTopic, testKafka, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

async function readTitles(topic: string, broker: string): Promise<string[]> {
  const admin = testKafka(broker).admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((sum, end) => sum + Number(end.high), 0);
  const consumer = testKafka(broker).consumer({ groupId: unique('reader') });
  const titles: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await consumer.run({
    eachMessage: ({ message }) => {
      seen++;
      const event = JSON.parse(message.value!.toString()) as { name: string; payload: { title?: string } };
      if (event.name === 'book-added' && event.payload.title) titles.push(event.payload.title);
      return Promise.resolve();
    },
  });
  await waitFor(() => seen >= total, { what: `all ${total} messages` });
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
    const after = await waitFor(async () => {
      const answer = await books.send('POST', '/books', { title: 'After' });
      return answer.status === 201 && answer;
    }, { timeout: 60_000, interval: 500, what: 'a command accepted again' });
    expect(after.body).toMatchObject({ title: 'After' });
    expect(await readTitles(topic, broker.address)).toEqual(['After', 'Before']);
  });
});
