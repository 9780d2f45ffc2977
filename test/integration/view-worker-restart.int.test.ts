/**
 * list-books as the entries run it (compiled, so with its fetch worker, here spawned however near the log's end the
 * restore leaves the view) against a real Kafka: a restart equals a full replay, also when the topic was made again
 * since the snapshot (found only once reading), and a stop during the restore ends it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePosition } from '../../bookshelf/app/log-position.js';
import type * as ListBooksService from '../../bookshelf/services/list-books.service.js';
import type * as ViewService from '../../bookshelf/services/view-service.js';
import { capturedLogger } from '../support/captured-logger.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { tempStateDir, testConfig } from '../support/in-process.js';
import { createTopic, newTopic, testKafka } from '../support/infra.js';
import { canonical, caughtUpTo, handPushedLines, produceLines, topicEnds } from '../support/snapshot-log.js';
import { waitFor } from '../support/wait-for.js';

const compiled = (path: string) => new URL(`../../dist/${path}`, import.meta.url);
const cleanup = cleanupAfterAll();

/**
 * The compiled list-books, started in this process with a logger of its own; reading in its fetch worker however near
 * the log's end it starts, unless it is to choose as the entries do.
 */
async function startCompiledView(cli: Record<string, unknown>, { asEntries = false } = {}) {
  const { startView } = (await import(compiled('services/view-service.js').href)) as typeof ViewService;
  const { listBooksView } = (await import(compiled('services/list-books.service.js').href)) as typeof ListBooksService;
  const captured = capturedLogger();
  const view = await startView(listBooksView, testConfig(listBooksView.defaults, cli), {
    logger: captured.logger,
    ...(!asEntries && { fetchWorkerFrom: 0 }),
  });
  return { ...view, logged: captured.lines };
}

/** Where the view read the log, each time it began to. */
const readIn = (view: { logged(): Record<string, unknown>[] }) =>
  view
    .logged()
    .filter((line) => line.msg === 'reading the log')
    .map((line) => line.in);

/** Where each consumer the view started read from, in order. */
const readFrom = (view: { logged(): Record<string, unknown>[] }) =>
  view
    .logged()
    .filter((line) => line.msg === 'consuming')
    .map((line) => line.from);

async function makeAgain(topic: string): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), { what: 'topic deleted' });
  } finally {
    await admin.disconnect();
  }
  await waitFor(() => createTopic(topic, 3).then(() => true), { what: 'topic made again' });
}

describe('list-books restarted from its snapshot, with its fetch worker', () => {
  it('equals a full replay, and a stop while it restores ends it cleanly', async () => {
    // Without the compiled worker the view would read on its main thread and this test prove nothing (npm test builds it).
    expect(existsSync(fileURLToPath(compiled('adapters/kafka/fetch-worker.js')))).toBe(true);
    const seed = fuzzSeed();
    const lines = handPushedLines(seededRandom(seed), 1200);
    const topic = await newTopic('view-worker-restart');
    const dir = tempStateDir();
    await produceLines(topic, lines.slice(0, 800));
    const first = await startCompiledView({ topic, 'state-dir': dir });
    await caughtUpTo(first.url, await topicEnds(topic));
    await first.stop();
    await produceLines(topic, lines.slice(800));
    const ends = await topicEnds(topic);

    const restarted = await startCompiledView({ topic, 'state-dir': dir });
    // As the entries run it: 1,200 lines are too few for a fetch worker to pay for itself, so it reads on its main thread.
    const full = await startCompiledView({ topic, snapshots: false }, { asEntries: true });
    cleanup.push(() => Promise.all([restarted.stop(), full.stop()]));
    const [report] = await Promise.all([restarted, full].map((view) => caughtUpTo(view.url, ends)));
    expect(readIn(restarted)).toEqual(['fetch worker']);
    expect(readIn(full)).toEqual(['main thread']);
    expect(report!.restored).toMatchObject({ from: 'snapshot', origin: 'local' });
    expect(report!.restored!.replayed, `seed ${seed}`).toBeGreaterThan(0);
    expect(canonical(restarted.view()), `seed ${seed}`).toEqual(canonical(full.view()));
    // It read on from the snapshot's last records (read again to compare them), not from the start of the log.
    expect(readFrom(restarted)).toEqual([Object.fromEntries(parsePosition(report!.restored!.position!))]);

    // Stopped at once: the restore is under way, no consumer started yet.
    const stopped = await startCompiledView({ topic, 'state-dir': dir });
    const began = Date.now();
    await stopped.stop();
    expect(Date.now() - began).toBeLessThan(8000);
    expect(stopped.logged().filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('reads the topic made again since the snapshot from its start, with a new worker, and equals a full replay', async () => {
    const seed = fuzzSeed();
    const topic = await newTopic('view-worker-remade');
    const dir = tempStateDir();
    await produceLines(topic, handPushedLines(seededRandom(seed), 600));
    const first = await startCompiledView({ topic, 'state-dir': dir });
    await caughtUpTo(first.url, await topicEnds(topic));
    await first.stop();
    await makeAgain(topic);
    // Enough lines that every partition reaches past the old offsets: the snapshot passes its check, and the records differ.
    await produceLines(topic, handPushedLines(seededRandom(seed + 1), 2400));
    const ends = await topicEnds(topic);

    const restarted = await startCompiledView({ topic, 'state-dir': dir });
    const full = await startCompiledView({ topic, snapshots: false });
    cleanup.push(() => Promise.all([restarted.stop(), full.stop()]));
    const [report] = await Promise.all([restarted, full].map((view) => caughtUpTo(view.url, ends)));
    expect(report!.restored).toMatchObject({ from: 'log' });
    const [fromSnapshot, fromStart] = readFrom(restarted);
    expect(Object.keys(fromSnapshot as object)).toHaveLength(3);
    expect(fromStart).toEqual({});
    expect(canonical(restarted.view()), `seed ${seed}`).toEqual(canonical(full.view()));
  });
});
