/**
 * A long log replayed by last-read and list-books while the broker is killed and started again three
 * times. Afterwards each view must equal the fold of the whole log that this file computes on its own
 * (it does not use the product's projections): nothing lost, nothing applied twice.
 */
import { describe, expect, it } from 'vitest';
import { extraBroker } from '../support/kafka-brokers.js';
import { createTopic, testKafka, unique } from '../support/infra.js';
import { freePort, runEntry, serviceArgs, type RunningProcess } from '../support/processes.js';
import { recordReliability, seconds } from '../support/reliability-report.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

const EVENTS = Number(process.env.BOOKSHELF_FAULT_EVENTS ?? 1_000_000);
const RESTARTS = 3;
/** How long the broker stays away each time. */
const DOWN_MS = 3000;
const LAST_READ_SIZE = 1000;
const SEND_BATCH = 10_000;
const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** mulberry32: a small seeded PRNG, so every run writes the same log. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Line {
  key: string;
  value: string;
}

interface Expected {
  title: string;
  author: { name: string }[];
  type: string;
  year: string;
  status: 'unread' | 'reading' | 'read';
  rating: number | null;
  readCount: number;
  addedAt: string;
  startedAt: string | null;
  readAt: string | null;
}

/** The reference fold: what a reader of the whole log must end up with, written plainly. */
function referenceFold() {
  const seen = new Uint8Array(EVENTS + 1);
  const books = new Map<string, Expected>();
  const removed = new Set<string>();
  let distinct = 0;
  let duplicates = 0;
  return {
    books,
    removed,
    counts: () => ({ distinct, duplicates }),
    apply(event: { id: string; name: string; created: string; payload: Record<string, unknown> }): void {
      const seq = Number(event.id.slice(1));
      if (seen[seq]) {
        duplicates++;
        return;
      }
      seen[seq] = 1;
      distinct++;
      const id = event.payload.id as string;
      if (removed.has(id)) return;
      const book = books.get(id);
      switch (event.name) {
        case 'book-added': {
          const { title, author, type, year } = event.payload as { title: string; author: { name: string }[]; type: string; year: string };
          books.set(id, {
            title,
            author,
            type,
            year,
            status: 'unread',
            rating: null,
            readCount: 0,
            addedAt: event.created,
            startedAt: null,
            readAt: null,
          });
          return;
        }
        case 'book-started':
          book!.status = 'reading';
          book!.startedAt = event.created;
          return;
        case 'book-read':
          book!.status = 'read';
          book!.readCount++;
          book!.readAt = event.created;
          return;
        case 'book-rated':
          book!.rating = event.payload.rating as number;
          return;
        case 'book-removed':
          books.delete(id);
          removed.add(id);
          return;
        default:
          throw new Error(`unexpected event ${event.name}`);
      }
    },
  };
}

/**
 * Writes a shelf's history: books added, started, read again and again, rated and removed, about ten
 * thousand on the shelf at any time, and one event in a hundred sent a second time (same id).
 */
function* history(random: () => number): Generator<Line> {
  const onShelf: { id: string; read: boolean }[] = [];
  const sent: Line[] = [];
  let books = 0;
  for (let seq = 1; seq <= EVENTS;) {
    if (sent.length > 100 && random() < 0.01) {
      yield sent[Math.floor(random() * sent.length)]!;
      continue;
    }
    const created = new Date(BASE_TIME + seq).toISOString();
    const envelope = (name: string, aggregate: string, payload: Record<string, unknown>) =>
      JSON.stringify({ id: `e${seq}`, name, created, safe: false, idempotent: false, aggregate, version: null, command: null, payload });
    let line: Line;
    if (onShelf.length === 0 || random() < (onShelf.length < 10_000 ? 0.5 : 0.08)) {
      const id = `book-${++books}`;
      onShelf.push({ id, read: false });
      line = {
        key: id,
        value: envelope('book-added', id, {
          id,
          title: `Title ${books}`,
          author: [{ name: `Author ${books % 997}` }],
          type: books % 3 === 0 ? 'essay' : 'novel',
          year: String(1900 + (books % 125)),
        }),
      };
    } else {
      const index = Math.floor(random() * onShelf.length);
      const book = onShelf[index]!;
      const roll = random();
      if (roll < 0.2) line = { key: book.id, value: envelope('book-started', book.id, { id: book.id }) };
      else if (roll < 0.65 || !book.read) {
        book.read = true;
        line = { key: book.id, value: envelope('book-read', book.id, { id: book.id }) };
      } else if (roll < 0.9)
        line = { key: book.id, value: envelope('book-rated', book.id, { id: book.id, rating: 1 + Math.floor(random() * 5) }) };
      else {
        onShelf[index] = onShelf[onShelf.length - 1]!;
        onShelf.pop();
        line = { key: book.id, value: envelope('book-removed', book.id, { id: book.id }) };
      }
    }
    if (sent.length < 4096) sent.push(line);
    else sent[Math.floor(random() * sent.length)] = line;
    seq++;
    yield line;
  }
}

/** JSON with the top-level keys in one order, to compare rows whatever order their fields come in. */
const canonical = (row: Record<string, unknown>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))));

interface Health {
  status: string;
  lag: number;
  caughtUp: boolean;
  events: { applied: number; duplicates: number; rejected: number };
}

async function health(port: number): Promise<Health | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Health;
  } catch {
    return undefined;
  }
}

describe('views replaying a long log while the broker restarts', () => {
  const cleanup = cleanupAfterAll();

  it(`last-read and list-books equal the fold of ${EVENTS} events after ${RESTARTS} broker restarts`, async () => {
    const broker = await extraBroker();
    cleanup.push(() => broker.remove());
    await broker.start();
    const topic = unique('restarts');
    await createTopic(topic, 3, broker.address);

    // Write the log, and fold it here as it is written.
    const fold = referenceFold();
    const producer = testKafka(broker.address).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const producedAt = Date.now();
    let batch: Line[] = [];
    let bytes = 0;
    let messages = 0;
    for (const line of history(prng(20261122))) {
      fold.apply(JSON.parse(line.value) as Parameters<typeof fold.apply>[0]);
      batch.push(line);
      bytes += line.value.length;
      if (batch.length === SEND_BATCH) {
        await producer.send({ topic, acks: 1, messages: batch });
        messages += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await producer.send({ topic, acks: 1, messages: batch });
    messages += batch.length;
    await producer.disconnect();
    const produceMs = Date.now() - producedAt;
    const { distinct, duplicates } = fold.counts();
    expect(distinct).toBe(EVENTS);

    // Replay it in both views, killing the broker three times along the way.
    const [lastReadPort, listPort] = [await freePort(), await freePort()];
    const common = (port: number) => serviceArgs({ topic, port, broker: broker.address, register: false, logLevel: 'warn' });
    const views: Record<string, { port: number; process: RunningProcess }> = {
      'last-read': {
        port: lastReadPort,
        process: runEntry('last-read', [...common(lastReadPort), '--size', String(LAST_READ_SIZE)]),
      },
      'list-books': { port: listPort, process: runEntry('list-books', common(listPort)) },
    };
    for (const { process } of Object.values(views)) cleanup.push(() => void process.child.kill('SIGKILL'));
    const replayStarted = Date.now();
    const progress = async () =>
      Promise.all(
        Object.values(views).map(async ({ port }) => {
          const report = await health(port);
          return report ? report.events.applied + report.events.duplicates : 0;
        }),
      );

    const restarts: { at: number[]; downMs: number; resumedMs: number }[] = [];
    for (let restart = 1; restart <= RESTARTS; restart++) {
      const threshold = Math.floor((messages * restart) / (RESTARTS + 1));
      const at = await waitFor(
        async () => {
          const seen = await progress();
          return Math.min(...seen) >= threshold && seen;
        },
        { timeout: 300_000, interval: 100, what: `both views past ${threshold} events` },
      );
      const stoppedAt = Date.now();
      await broker.stop();
      // The broker is away for DOWN_MS: the fault's own length, not a wait for anything.
      await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
      await broker.start();
      const backAt = Date.now();
      const before = await progress();
      await waitFor(async () => (await progress()).every((seen, i) => seen > before[i]! || seen >= messages), {
        timeout: 120_000,
        interval: 100,
        what: 'both views reading again',
      });
      restarts.push({ at, downMs: backAt - stoppedAt, resumedMs: Date.now() - backAt });
    }

    const caughtUpMs: Record<string, number> = {};
    await Promise.all(
      Object.entries(views).map(async ([name, { port }]) => {
        await waitFor(
          async () => {
            const report = await health(port);
            return report?.status === 'pass' && report.lag === 0 && report.events.applied + report.events.duplicates >= messages;
          },
          { timeout: 300_000, interval: 200, what: `${name} caught up with ${messages} messages` },
        );
        caughtUpMs[name] = Date.now() - replayStarted;
      }),
    );

    // Each view as a user reads it, against the reference fold.
    const reports = Object.fromEntries(
      await Promise.all(Object.entries(views).map(async ([name, { port }]) => [name, (await health(port))!] as const)),
    );
    const listed = (await (await fetch(`http://127.0.0.1:${listPort}/`)).json()) as ({ id: string } & Record<string, unknown>)[];
    const expectedRows = new Map([...fold.books].map(([id, book]) => [id, { id, ...book, isbn: null }]));
    const seenIds = new Set<string>();
    let listedTwice = 0;
    let wrong = 0;
    const differences: string[] = [];
    for (const row of listed) {
      if (seenIds.has(row.id)) listedTwice++;
      seenIds.add(row.id);
      const expected = expectedRows.get(row.id);
      if (expected === undefined || canonical(row) !== canonical(expected)) {
        wrong++;
        if (differences.length < 3) differences.push(`${JSON.stringify(row)} expected ${JSON.stringify(expected)}`);
      }
    }
    const missing = [...expectedRows.keys()].filter((id) => !seenIds.has(id)).length;
    const readsExpected = [...fold.books.values()].reduce((sum, book) => sum + book.readCount, 0);
    const readsListed = listed.reduce((sum, row) => sum + (row.readCount as number), 0);

    const lastRead = (await (await fetch(`http://127.0.0.1:${lastReadPort}/`)).json()) as unknown[];
    const expectedLastRead = [...fold.books]
      .filter(([, book]) => book.readAt !== null)
      .sort(([, a], [, b]) => b.readAt!.localeCompare(a.readAt!))
      .slice(0, LAST_READ_SIZE)
      .map(([id, { title, author, type, year, readAt }]) => ({ id, title, author, type, year, readAt }));

    recordReliability('broker restarts', {
      fault: `${messages.toLocaleString('en')} events on a 3-partition topic replayed by last-read and list-books; the broker is killed (-9) and started again ${RESTARTS} times during the replay`,
      guarantee: 'each view equals the independent fold of the whole log: 0 lost, 0 applied twice',
      figures: {
        events: messages,
        'duplicate ids in the log': duplicates,
        'MB written': Math.round(bytes / 1e6),
        'write s': seconds(produceMs),
        restarts: restarts.length,
        'replay % at each kill (last-read/list-books)': restarts
          .map(({ at }) => at.map((seen) => Math.floor((100 * seen) / messages)).join('/'))
          .join(', '),
        'broker away s (longest)': seconds(Math.max(...restarts.map((r) => r.downMs))),
        'views reading again after s (longest)': seconds(Math.max(...restarts.map((r) => r.resumedMs))),
        'last-read replay s': seconds(caughtUpMs['last-read']!),
        'list-books replay s': seconds(caughtUpMs['list-books']!),
        'books on the shelf': listed.length,
        lost: missing + Math.max(0, readsExpected - readsListed) + Math.max(0, distinct - reports['list-books']!.events.applied),
        'applied twice':
          listedTwice + Math.max(0, readsListed - readsExpected) + Math.max(0, reports['list-books']!.events.applied - distinct),
        'rows differing': wrong,
      },
    });

    expect(restarts.map(({ at }) => Math.min(...at) < messages)).toEqual(Array(RESTARTS).fill(true));
    for (const [name, report] of Object.entries(reports)) {
      expect({
        view: name,
        applied: report.events.applied,
        duplicates: report.events.duplicates,
        rejected: report.events.rejected,
      }).toEqual({ view: name, applied: distinct, duplicates, rejected: 0 });
    }
    expect({ missing, listedTwice, wrong, differences }).toEqual({ missing: 0, listedTwice: 0, wrong: 0, differences: [] });
    expect(listed.length).toBe(fold.books.size);
    expect(readsListed).toBe(readsExpected);
    expect(lastRead).toEqual(expectedLastRead);
  });
});
