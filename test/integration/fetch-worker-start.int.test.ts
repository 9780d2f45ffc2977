/**
 * The fetch worker started once a snapshot is restored (the compiled script, against a real Kafka): it reads only from
 * where the restore left the view; stopped at once, it ends cleanly.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogSink, PartitionEnds } from '../../bookshelf/app/ports.js';
import { createProjectionRunner } from '../../bookshelf/app/projection-runner.js';
import { createSnapshots } from '../../bookshelf/app/snapshots.js';
import { createWorkerConsumer } from '../../bookshelf/adapters/kafka/worker-consumer.js';
import { createSnapshotStore } from '../../bookshelf/adapters/fs/snapshot-store.js';
import { listBooksProjection } from '../../bookshelf/domain/projections/list-books.projection.js';
import { capturedLogger } from '../support/captured-logger.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { tempStateDir } from '../support/in-process.js';
import { KAFKA, newTopic, testKafka, unique } from '../support/infra.js';
import { silentLogger } from '../support/silent-logger.js';
import { canonical, handPushedLines, produceLines } from '../support/snapshot-log.js';
import { waitFor } from '../support/wait-for.js';

const workerUrl = new URL('../../dist/adapters/kafka/fetch-worker.js', import.meta.url);
const noCounters = { applied: () => undefined, rejected: () => undefined, ignored: () => undefined, duplicate: () => undefined };

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});
/** Stops a consumer once: a worker consumer's second stop would wait for its worker to exit again. */
const stopNow = (consumer: { stop(): Promise<void> }) => running.splice(running.indexOf(consumer), 1)[0]!.stop();

async function topicEnds(topic: string): Promise<PartitionEnds[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
  } finally {
    await admin.disconnect();
  }
}

/** list-books with its snapshots in `dir`, read by the worker; the sink notes what it was handed: the first offset per partition, and how often. */
function follow(topic: string, dir: string) {
  const captured = capturedLogger();
  const runner = createProjectionRunner({ projection: listBooksProjection, topic, logger: silentLogger(), counters: noCounters });
  const snapshots = createSnapshots({
    runner,
    codec: listBooksProjection.snapshot!,
    topic,
    store: createSnapshotStore({ dir }),
    logger: silentLogger(),
    counters: { rejected: () => undefined, written: () => undefined },
    topicEnds: () => topicEnds(topic),
    every: Number.MAX_SAFE_INTEGER,
    intervalMs: Number.MAX_SAFE_INTEGER,
    onTopicChanged: () => undefined,
  });
  const firstDelivered = new Map<number, number>();
  let handed = 0;
  const sink: LogSink = {
    applyBatch(partition, records, highWatermark) {
      handed++;
      if (!firstDelivered.has(partition) && records.length > 0) firstDelivered.set(partition, Number(records[0]!.offset));
      runner.applyBatch(partition, records, highWatermark);
    },
    passOffsets(partition, offset) {
      handed++;
      runner.passOffsets(partition, offset);
    },
    setStartEnds(ends) {
      handed++;
      runner.setStartEnds(ends);
    },
    readFrom: () => runner.readFrom(),
    ready: () => runner.ready(),
  };
  const consumer = createWorkerConsumer({
    kafka: testKafka(),
    connection: { brokers: [KAFKA], clientId: 'bookshelf-test' },
    logger: captured.logger,
    topic,
    groupId: { prefix: unique('worker-start') },
    sink,
    liveness: runner.liveness,
    workerUrl,
  });
  running.push(consumer);
  return { runner, snapshots, consumer, firstDelivered, handed: () => handed, logged: captured.lines };
}

describe('the fetch worker started after the restore', () => {
  it('reads from the offsets the restore decided, and the view equals a full replay', async () => {
    // Without the compiled script the consumer would run on this thread and this test prove nothing (npm test builds it).
    expect(existsSync(fileURLToPath(workerUrl))).toBe(true);
    const seed = fuzzSeed();
    const lines = handPushedLines(seededRandom(seed), 1200);
    const topic = await newTopic('worker-start');
    const dir = tempStateDir();
    await produceLines(topic, lines.slice(0, 800));
    const first = follow(topic, dir);
    first.consumer.start();
    await waitFor(() => first.runner.isCaughtUp(), { timeout: 60_000, what: 'the first reader caught up' });
    expect(await first.snapshots.take(false)).toBeDefined();
    await stopNow(first.consumer);
    await produceLines(topic, lines.slice(800));

    const restarted = follow(topic, dir);
    await restarted.snapshots.restore();
    expect(restarted.runner.health().restored).toMatchObject({ from: 'snapshot' });
    expect(restarted.handed()).toBe(0);
    const from = new Map(restarted.runner.readFrom());
    expect(from.size).toBe(3);
    restarted.consumer.start();
    await waitFor(() => restarted.runner.isCaughtUp(), { timeout: 60_000, what: 'the restarted reader caught up' });
    expect(restarted.firstDelivered).toEqual(from);

    const full = follow(topic, tempStateDir());
    full.consumer.start();
    await waitFor(() => full.runner.isCaughtUp(), { timeout: 60_000, what: 'the full replay caught up' });
    expect(canonical(restarted.runner.view()), `seed ${seed}`).toEqual(canonical(full.runner.view()));
  });

  it('reads the whole log when the restore refused the snapshot (of another topic)', async () => {
    const seed = fuzzSeed();
    const lines = handPushedLines(seededRandom(seed), 400);
    const [other, topic] = await Promise.all([newTopic('worker-start-other'), newTopic('worker-start-refused')]);
    const dir = tempStateDir();
    await Promise.all([produceLines(other, lines), produceLines(topic, lines)]);
    const first = follow(other, dir);
    first.consumer.start();
    await waitFor(() => first.runner.isCaughtUp(), { timeout: 60_000, what: 'the other topic read' });
    expect(await first.snapshots.take(false)).toBeDefined();

    const refused = follow(topic, dir);
    await refused.snapshots.restore();
    expect(refused.runner.health().restored).toMatchObject({ from: 'log' });
    refused.consumer.start();
    await waitFor(() => refused.runner.isCaughtUp(), { timeout: 60_000, what: 'caught up' });
    const ends = await topicEnds(topic);
    expect(refused.firstDelivered).toEqual(new Map(ends.filter((end) => end.high > 0).map((end) => [end.partition, 0])));
    expect(canonical(refused.runner.view()), `seed ${seed}`).toEqual(canonical(first.runner.view()));
  });

  it('ends cleanly when stopped at once after its start', async () => {
    const topic = await newTopic('worker-start-stop');
    await produceLines(topic, handPushedLines(seededRandom(fuzzSeed()), 50));
    const early = follow(topic, tempStateDir());
    early.consumer.start();

    // The worker is ended by its own stop, not by the stop's fallback (terminating it after 10 s).
    const started = Date.now();
    await stopNow(early.consumer);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(early.logged().filter((line) => Number(line.level) >= 50 || line.msg === 'fetch worker failed')).toEqual([]);
  });
});
