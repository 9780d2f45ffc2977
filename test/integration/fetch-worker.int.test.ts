/**
 * The consumer run in its fetch worker (the compiled script, as the entries run it) against a real Kafka:
 * every record reaches the projection in order, bad lines are counted, and reading goes on live.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import { createProjectionRunner } from '../../bookshelf/app/projection-runner.js';
import { createWorkerConsumer } from '../../bookshelf/adapters/kafka/worker-consumer.js';
import { KAFKA, newTopic, testKafka, unique } from '../support/infra.js';
import { silentLogger } from '../support/silent-logger.js';
import { waitFor } from '../support/wait-for.js';

const workerUrl = new URL('../../dist/adapters/kafka/fetch-worker.js', import.meta.url);
const noCounters = { applied: () => undefined, rejected: () => undefined, ignored: () => undefined, duplicate: () => undefined };
/** Each book's ids in the order its events were applied, and the offsets applied per partition. */
const byBook = {
  initialState: () => new Map<string, string[]>(),
  evolve(view: Map<string, string[]>, event: RecordedEvent) {
    const id = event.data.id ?? '?';
    view.set(id, [...(view.get(id) ?? []), event.metadata.eventId]);
    return view;
  },
};

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

const line = (book: number, n: number, title = `Title ${book}`) =>
  JSON.stringify({ id: `e-${book}-${n}`, name: n === 0 ? 'book-added' : 'book-read', payload: { id: `b${book}`, title } });

async function send(topic: string, messages: { key: string; value: string | null }[]): Promise<void> {
  const producer = testKafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

function follow(topic: string) {
  const runner = createProjectionRunner({ projection: byBook, topic, logger: silentLogger(), counters: noCounters });
  const consumer = createWorkerConsumer({
    kafka: testKafka(),
    connection: { brokers: [KAFKA], clientId: 'bookshelf-test' },
    logger: silentLogger(),
    topic,
    groupId: { prefix: unique('fetch-worker') },
    sink: runner,
    liveness: runner.liveness,
    workerUrl,
  });
  running.push(consumer);
  consumer.start();
  return { runner, consumer };
}

describe('the consumer in its fetch worker', () => {
  it('applies every record of every partition in order, counts bad lines, and goes on reading live', async () => {
    // Without the compiled script the consumer would run on this thread and this test prove nothing (npm test builds it).
    expect(existsSync(fileURLToPath(workerUrl))).toBe(true);
    const topic = await newTopic('fetch-worker');
    const books = 300;
    const events = 10;
    const messages: { key: string; value: string | null }[] = [];
    for (let n = 0; n < events; n++)
      for (let book = 0; book < books; book++) messages.push({ key: `b${book}`, value: line(book, n, `Tïtle ${book} ✓`) });
    messages.splice(1000, 0, { key: 'x', value: '{"name": "book-added", "payload": ' }, { key: 'y', value: null });
    await send(topic, messages);

    const { runner } = follow(topic);
    await waitFor(() => runner.isCaughtUp(), { timeout: 60_000, what: 'caught up' });
    const view = runner.view();
    expect(view.size).toBe(books);
    for (let book = 0; book < books; book++)
      expect(view.get(`b${book}`)).toEqual(Array.from({ length: events }, (_, n) => `e-${book}-${n}`));
    expect(runner.health().events).toMatchObject({ applied: books * events, rejected: 2 });
    expect(runner.rejected().map((r) => r.reason)).toEqual(expect.arrayContaining(['not_json', 'not_json']));
    expect(runner.health().kafka).toBe('running');

    await send(topic, [{ key: 'b0', value: line(0, events) }]);
    await waitFor(() => view.get('b0')?.length === events + 1, { timeout: 30_000, what: 'the live event' });
  });

  it('lets the event loop turn while it replays a long log: requests (health checks, reads) are answered meanwhile', async () => {
    expect(existsSync(fileURLToPath(workerUrl))).toBe(true);
    const topic = await newTopic('fetch-worker-turns');
    const total = 200_000;
    for (let first = 0; first < total; first += 20_000)
      await send(
        topic,
        Array.from({ length: 20_000 }, (_, i) => ({ key: `b${first + i}`, value: line(first + i, 0) })),
      );

    // What the loop saw of the replay at each turn of a 20 ms timer: a turn comes only when the loop is let go.
    const seen: number[] = [];
    const ticker = setInterval(() => seen.push(runner.health().events.applied), 20);
    const { runner } = follow(topic);
    try {
      await waitFor(() => runner.isCaughtUp(), { timeout: 120_000, what: 'caught up' });
    } finally {
      clearInterval(ticker);
    }
    expect(runner.health().events.applied).toBe(total);
    const midway = seen.filter((applied) => applied > 0 && applied < total);
    expect(midway.length, `turns seen during the replay: ${seen.join(', ')}`).toBeGreaterThan(5);
  });
});
