/** A log worth snapshotting: random commands through `books`, and hand-pushed lines with copies and junk in between. */
import { readFileSync, writeFileSync } from 'node:fs';
import { createSnapshotChecksum } from '../../bookshelf/adapters/fs/snapshot-checksum.js';
import type { Message } from 'kafkajs';
import type { Random } from './fuzz-random.js';
import { topicFuzz, type FuzzLine } from './fuzz/topic-fuzz.js';
import { testKafka } from './infra.js';
import type { Answer } from './in-process.js';
import { waitFor } from './wait-for.js';

type Send = (method: string, path: string, body?: unknown) => Promise<Answer>;

/** Adds, starts, finishes, rates and removes books at random; refusals are part of the game. */
export async function randomCommands(send: Send, random: Random, count: number, prefix: string): Promise<void> {
  const ids = Array.from({ length: Math.max(3, Math.ceil(count / 4)) }, (_, i) => `${prefix}-${i}`);
  for (let i = 0; i < count; i++) {
    const id = ids[random.int(0, ids.length - 1)]!;
    const pick = random.int(0, 10 - 1);
    if (pick < 3)
      await send('POST', '/books', {
        id,
        title: `Title ${id}`,
        author: [{ name: `Author ${random.int(0, 5 - 1)}` }],
        year: String(1900 + random.int(0, 120 - 1)),
      });
    else if (pick < 5) await send('POST', `/books/${id}/started`);
    else if (pick < 8) await send('POST', `/books/${id}/finished`);
    else if (pick < 9) await send('PUT', `/books/${id}/rating`, { rating: 1 + random.int(0, 5 - 1) });
    else await send('DELETE', `/books/${id}`);
  }
}

/** Lines as kcat would push them: valid events, copies of them, and junk of every kind. */
export const handPushedLines = (random: Random, count: number): FuzzLine[] =>
  topicFuzz(random, { count, books: Math.ceil(count / 40), lastReadSize: 1000 }).lines;

export async function produceLines(topic: string, lines: FuzzLine[]): Promise<void> {
  const producer = testKafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let start = 0; start < lines.length; start += 200) {
      const messages: Message[] = lines.slice(start, start + 200).map((line) => ({ key: line.key, value: line.value }));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Next offset per partition on the topic now. */
export async function topicEnds(topic: string): Promise<Map<number, number>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

interface Health {
  status: string;
  partitions: Record<string, { applied: number | null; end: number | null; lag: number }>;
  restored?: { from: string; origin?: string; replayed: number; peer?: string; file?: string; position?: string };
  events: { applied: number };
}

export async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

/** Waits until the service at `url` has applied everything up to `ends` and says so. */
export async function caughtUpTo(url: string, ends: Map<number, number>, timeout = 60_000): Promise<Health> {
  return waitFor(
    async () => {
      const report = await health(url);
      const done = [...ends].every(([partition, end]) => {
        const progress = report.partitions[partition];
        return end === 0 || (progress?.applied ?? -1) >= end - 1 || (progress?.end === end && progress.lag === 0);
      });
      return done && report.status === 'pass' && report;
    },
    { timeout, what: `${url} caught up` },
  );
}

/** A snapshot's header, changed by `edit`, with its checksum made right again: a snapshot that is whole but of something else. */
export function rewriteSnapshot(path: string, edit: (header: Record<string, unknown>) => void): void {
  rewriteSnapshotLines(path, ([first, ...rest]) => {
    const header = JSON.parse(first!) as Record<string, unknown>;
    edit(header);
    return [JSON.stringify(header), ...rest];
  });
}

/** Rewrites a snapshot file's lines before its trailer (the header first), with a trailer that matches them again. */
export function rewriteSnapshotLines(path: string, edit: (lines: string[]) => string[]): void {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const body = edit(lines.slice(0, -1));
  const hash = createSnapshotChecksum();
  for (const line of body) hash.update(line).update('\n');
  writeFileSync(path, `${[...body, JSON.stringify({ end: true, lines: body.length, crc32: hash.digest() })].join('\n')}\n`);
}

/** The value of one labelled counter in a Prometheus text page, 0 when absent. */
export async function metricValue(url: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(labels));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/**
 * A view in a form that two correct readers of the same log share: Maps and Sets as sorted entries, and no
 * arrival counters (`seq`), since partitions are read side by side and interleave differently every time.
 */
export function canonical(value: unknown): unknown {
  if (value instanceof Map)
    return Array.from<[unknown, unknown]>(value)
      .map(([key, item]) => [key, canonical(item)])
      .sort(byKey);
  if (value instanceof Set) return [...value].sort();
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'seq')
        .map(([key, item]) => [key, canonical(item)]),
    );
  return value;
}

const byKey = (a: unknown[], b: unknown[]): number => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0);

/**
 * The aggregate's state without the key 'key-1', which hand-pushed lines give to books on every partition: which of
 * them a reader records last depends on how it interleaves partitions, for a full replay as for a restart.
 */
export function ownCommands(view: unknown): unknown {
  const { books, commands } = view as { books: Map<string, unknown>; commands: Map<string, unknown> };
  return { books, commands: new Map([...commands].filter(([key]) => key !== 'key-1')) };
}
