/**
 * 100,000 generated lines on a fresh topic (random bytes, truncated JSON, wrong types, huge strings, deep nesting,
 * unknown names, copies, and the valid events of a planned shelf in between), read by list-books and last-read
 * while they are produced. Both must apply exactly the valid events, count every other line by reason, and
 * keep answering. FUZZ_SEED=<seed> replays a run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from 'kafkajs';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { topicFuzz, type FuzzLine, type RejectReason } from '../support/fuzz/topic-fuzz.js';
import { createTopic, testKafka, unique } from '../support/infra.js';
import { startTestView } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const LINES = 100_000;
const LAST_READ_SIZE = 1000;
/** Under the broker's 1 MB limit for one batch, whatever lands on one partition. */
const BYTES_PER_SEND = 512 * 1024;

const running: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function produceAll(topic: string, lines: FuzzLine[]): Promise<void> {
  const producer = testKafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    let batch: Message[] = [];
    let bytes = 0;
    for (const line of lines) {
      const size = (line.value?.length ?? 0) + (line.key?.length ?? 0) + 64;
      if (bytes + size > BYTES_PER_SEND && batch.length > 0) {
        await producer.send({ topic, acks: -1, messages: batch });
        batch = [];
        bytes = 0;
      }
      batch.push({ key: line.key, value: line.value });
      bytes += size;
    }
    if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
  } finally {
    await producer.disconnect();
  }
}

/** The position token of everything on the topic now. */
async function endOf(topic: string): Promise<string> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .filter((o) => Number(o.high) > 0)
      .map((o) => `${o.partition}:${Number(o.high) - 1}`)
      .join(',');
  } finally {
    await admin.disconnect();
  }
}

/** `name{…reason="x"…} 12` lines of the Prometheus text, summed by reason (or in total). */
function metricByReason(text: string, name: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const reason = /reason="([^"]*)"/.exec(line)?.[1] ?? 'total';
    sums[reason] = (sums[reason] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sums;
}

/** The first few differences, by id, so that a failure names rows rather than dumping thousands. */
function differences<T>(actual: T[], expected: T[], keyOf: (item: T, index: number) => string): string[] {
  const found: string[] = [];
  if (actual.length !== expected.length) found.push(`length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < Math.max(actual.length, expected.length) && found.length < 5; i++) {
    const a = JSON.stringify(actual[i]);
    const e = JSON.stringify(expected[i]);
    if (a !== e) found.push(`#${i} ${keyOf((actual[i] ?? expected[i])!, i)}: got ${a?.slice(0, 400)} expected ${e?.slice(0, 400)}`);
  }
  return found;
}

describe('the topic, fuzzed', () => {
  it(`applies exactly the valid events among ${LINES.toLocaleString('en')} generated lines and counts the rest by reason`, async () => {
    const seed = fuzzSeed();
    console.log(`topic fuzz: seed ${seed} (FUZZ_SEED=${seed} replays this run)`);
    const { lines, expected } = topicFuzz(seededRandom(seed), { count: LINES, books: 2000, lastReadSize: LAST_READ_SIZE });
    const rejectedTotal = Object.values(expected.rejected).reduce((sum, n) => sum + n, 0);
    expect(lines).toHaveLength(LINES);
    expect(expected.applied + expected.duplicates + expected.ignored + rejectedTotal).toBe(LINES);

    const topic = unique('fuzz-topic');
    await createTopic(topic, 3);
    const list = await startTestView(listBooksView, { topic });
    const last = await startTestView(lastReadView, { topic, size: String(LAST_READ_SIZE) });
    running.push(list, last);

    for (const view of [list, last])
      await waitFor(async () => (await view.get('/health')).status === 200, { what: 'view reading the empty topic' });

    // The views read while the lines arrive; they must keep answering, and stay healthy, all along.
    let slowest = 0;
    let polling = true;
    const unhealthy: number[] = [];
    const poll = (async () => {
      while (polling) {
        for (const view of [list, last]) {
          const started = Date.now();
          const answer = await view.get('/health');
          if (answer.status !== 200 && answer.status !== 429) unhealthy.push(answer.status);
          slowest = Math.max(slowest, Date.now() - started);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const producing = Date.now();
    await produceAll(topic, lines);
    const produced = Date.now() - producing;
    const end = await endOf(topic);
    for (const view of [list, last]) {
      await waitFor(async () => (await view.get(`/?position=${end}&wait=5000`)).status === 200, {
        timeout: 120_000,
        interval: 100,
        what: `${end} applied (seed ${seed})`,
      });
    }
    const caughtUp = Date.now() - producing;
    polling = false;
    await poll;
    console.log(
      `topic fuzz: ${LINES} lines produced in ${produced} ms, both views caught up after ${caughtUp} ms; slowest /health ${slowest} ms`,
    );
    expect(unhealthy).toEqual([]);
    expect(slowest).toBeLessThan(5000);

    for (const view of [list, last]) {
      const health = await view.get('/health');
      expect(health.status, `seed ${seed}`).toBe(200);
      expect((health.body as { events: unknown }).events, `seed ${seed}`).toEqual({
        applied: expected.applied,
        rejected: rejectedTotal,
        ignored: expected.ignored,
        duplicates: expected.duplicates,
      });

      const metrics = await (await fetch(`${view.url}/metrics`)).text();
      const byReason = metricByReason(metrics, 'bookshelf_events_rejected_total');
      expect(byReason, `seed ${seed}`).toEqual(Object.fromEntries(Object.entries(expected.rejected).filter(([, n]) => n > 0)));
      expect(metricByReason(metrics, 'bookshelf_events_applied_total')).toEqual({ total: expected.applied });
      expect(metricByReason(metrics, 'bookshelf_events_ignored_total')).toEqual({ total: expected.ignored });
      expect(metricByReason(metrics, 'bookshelf_events_duplicate_total')).toEqual({ total: expected.duplicates });

      const rejected = (await view.get('/rejected')).body as { partition: number; offset: string; reason: RejectReason }[];
      expect(rejected).toHaveLength(Math.min(100, rejectedTotal));
      for (const entry of rejected) expect(Object.keys(expected.rejected)).toContain(entry.reason);
    }

    const books = (await list.get('/')).body as { id: string }[];
    books.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(
      differences(books, expected.books, (row) => row.id),
      `seed ${seed}`,
    ).toEqual([]);
    const lastRead = (await last.get('/')).body as { id: string | null }[];
    expect(
      differences(lastRead, expected.lastRead, (entry) => String(entry.id)),
      `seed ${seed}`,
    ).toEqual([]);
    expect((await list.get('/fuzz-marker')).body).toMatchObject({ id: 'fuzz-marker', title: 'the end', status: 'unread' });
  });
});
