/**
 * A snapshot that is not right in any way (cut short, scrambled, of another format, projection version or topic,
 * partitions added since, offsets Kafka no longer holds, a topic deleted and made again) is set aside, counted,
 * and the view replays the log from its start, ending with the same state as a full replay.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { createTopic, newTopic, testKafka } from '../support/infra.js';
import {
  canonical,
  caughtUpTo,
  handPushedLines,
  health,
  metricValue,
  produceLines,
  rewriteSnapshot,
  rewriteSnapshotLines,
  topicEnds,
} from '../support/snapshot-log.js';
import { startTestView, tempStateDir } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

async function withAdmin<T>(task: (admin: ReturnType<ReturnType<typeof testKafka>['admin']>) => Promise<T>): Promise<T> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await task(admin);
  } finally {
    await admin.disconnect();
  }
}

const deleteTopic = (topic: string) => withAdmin((admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);

/** Lines of another shelf, keyed by book as `books` writes them, so that every reader sees each book's events in order. */
const refill = (topic: string, seed: number, count: number) => produceLines(topic, handPushedLines(seededRandom(seed + 1), count));

type Spoil = (ctx: { file: string; topic: string; seed: number }) => Promise<void> | void;

const kinds: [string, string, Spoil][] = [
  ['cut short', 'corrupt', ({ file }) => writeFileSync(file, readFileSync(file).subarray(0, Math.floor(readFileSync(file).length / 2)))],
  [
    'scrambled',
    'corrupt',
    ({ file }) => {
      const bytes = readFileSync(file);
      for (let at = Math.floor(bytes.length / 3); at < bytes.length; at += 97) bytes[at] = 0x41 + (at % 26);
      writeFileSync(file, bytes);
    },
  ],
  [
    // Checksummed as written: only the whole table of books shows the fault.
    'holding its books twice',
    'corrupt',
    ({ file }) =>
      rewriteSnapshotLines(file, (lines) => lines.flatMap((line) => (line.startsWith('{"kind":"rows"') ? [line, line] : [line]))),
  ],
  ['of another format version', 'format', ({ file }) => rewriteSnapshot(file, (header) => (header.formatVersion = 99))],
  ['of another projection version', 'projection', ({ file }) => rewriteSnapshot(file, (header) => (header.projectionVersion = 999))],
  ['of another topic', 'topic', ({ file }) => rewriteSnapshot(file, (header) => (header.topic = 'another-topic'))],
  [
    'taken before partitions were added',
    'partitions',
    async ({ topic }) => {
      await withAdmin((admin) => admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] }));
      await waitFor(async () => (await topicEnds(topic)).size === 4, { what: 'the new partition led' });
    },
  ],
  [
    'whose offsets Kafka no longer holds',
    'offsets',
    async ({ topic, seed }) => {
      await refill(topic, seed, 60);
      await withAdmin(async (admin) => {
        await admin.fetchTopicMetadata({ topics: [topic] });
        await admin.deleteTopicRecords({ topic, partitions: [0, 1, 2].map((partition) => ({ partition, offset: '-1' })) });
      });
      await refill(topic, seed + 1, 300);
    },
  ],
  [
    'of a topic since deleted and made again',
    'topic_changed',
    async ({ topic, seed }) => {
      const before = [...(await topicEnds(topic)).values()].reduce((sum, high) => sum + high, 0);
      await deleteTopic(topic);
      await waitFor(async () => !(await withAdmin((admin) => admin.listTopics())).includes(topic), { what: 'topic deleted' });
      await waitFor(() => createTopic(topic, 3).then(() => true), { what: 'topic made again' });
      // Enough lines that every partition reaches past the offsets of the old one.
      await refill(topic, seed, before * 4);
    },
  ],
];

describe('a snapshot that is not right', () => {
  it.each(kinds)('%s: set aside, counted, and the log replayed from its start', async (_, reason, spoil) => {
    const seed = fuzzSeed();
    const topic = await newTopic('snap-bad');
    await produceLines(topic, handPushedLines(seededRandom(seed), 600));
    const dir = tempStateDir();
    const first = await startTestView(listBooksView, { topic, 'state-dir': dir });
    await caughtUpTo(first.url, await topicEnds(topic));
    await first.stop();
    const [file] = readdirSync(dir).filter((name) => name.endsWith('.snap'));
    expect(file).toBeDefined();

    await spoil({ file: join(dir, file!), topic, seed });
    const ends = await topicEnds(topic);
    const restarted = await startTestView(listBooksView, { topic, 'state-dir': dir });
    const full = await startTestView(listBooksView, { topic, snapshots: false });
    cleanup.push(() => Promise.all([restarted.stop(), full.stop()]));
    const [report] = await Promise.all([caughtUpTo(restarted.url, ends), caughtUpTo(full.url, ends)]);

    expect(report.restored, `seed ${seed}`).toMatchObject({ from: 'log' });
    expect(await metricValue(restarted.url, 'bookshelf_snapshots_rejected_total', `reason="${reason}"`)).toBe(1);
    await waitFor(() => readdirSync(dir).includes(`${file}.rejected`), { what: 'the snapshot set aside' });
    expect(canonical(restarted.view()), `seed ${seed}`).toEqual(canonical(full.view()));
    expect((await health(restarted.url)).events.applied).toBe((await health(full.url)).events.applied);
  });
});
