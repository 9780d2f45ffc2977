/**
 * Snapshots against the real Kafka: a view and `books` restarted from their snapshot equal a full replay of the
 * same log, made of random commands and hand-pushed lines (copies and junk included).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startTestBooks, startTestView, tempStateDir } from '../support/in-process.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { newTopic } from '../support/infra.js';
import {
  canonical,
  caughtUpTo,
  handPushedLines,
  health,
  ownCommands,
  produceLines,
  randomCommands,
  topicEnds,
} from '../support/snapshot-log.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

describe('a restart from a snapshot', () => {
  it('gives list-books, last-read and books the same state as a full replay', async () => {
    const seed = fuzzSeed();
    const random = seededRandom(seed);
    const topic = await newTopic('snap-restart');
    const dirs = { list: tempStateDir(), last: tempStateDir(), books: tempStateDir() };

    const books = await startTestBooks({ topic, 'state-dir': dirs.books });
    const lines = handPushedLines(random, 1500);
    await produceLines(topic, lines.slice(0, 1000));
    await caughtUpTo(books.url, await topicEnds(topic));
    await randomCommands(books.send, random, 80, 'r1');
    const list = await startTestView(listBooksView, { topic, 'state-dir': dirs.list });
    const last = await startTestView(lastReadView, { topic, 'state-dir': dirs.last, size: 1000 });
    let ends = await topicEnds(topic);
    await Promise.all([list, last, books].map((service) => caughtUpTo(service.url, ends)));
    await Promise.all([list.stop(), last.stop(), books.stop()]);

    // After the snapshot: more commands, more lines, and copies of lines from before it.
    const books2 = await startTestBooks({ topic, 'state-dir': dirs.books });
    cleanup.push(() => books2.stop());
    expect(await waitFor(async () => (await health(books2.url)).restored)).toMatchObject({ from: 'snapshot', origin: 'local' });
    await caughtUpTo(books2.url, ends);
    await randomCommands(books2.send, random, 80, 'r1');
    await produceLines(topic, [...lines.slice(1000), ...lines.slice(0, 100)]);
    ends = await topicEnds(topic);

    const list2 = await startTestView(listBooksView, { topic, 'state-dir': dirs.list });
    const last2 = await startTestView(lastReadView, { topic, 'state-dir': dirs.last, size: 1000 });
    const fullList = await startTestView(listBooksView, { topic, snapshots: false });
    const fullLast = await startTestView(lastReadView, { topic, snapshots: false, size: 1000 });
    const fullBooks = await startTestBooks({ topic, snapshots: false });
    cleanup.push(() => Promise.all([list2, last2, fullList, fullLast, fullBooks].map((service) => service.stop())));
    const reports = await Promise.all(
      [list2, last2, books2, fullList, fullLast, fullBooks].map((service) => caughtUpTo(service.url, ends)),
    );

    for (const report of reports.slice(0, 2)) expect(report.restored).toMatchObject({ from: 'snapshot', origin: 'local' });
    for (const report of reports.slice(0, 3)) expect(report.restored!.replayed, `seed ${seed}`).toBeGreaterThan(0);
    expect(reports[3]!.restored).toBeUndefined();
    expect(canonical(list2.view()), `seed ${seed}`).toEqual(canonical(fullList.view()));
    expect(canonical(last2.view()), `seed ${seed}`).toEqual(canonical(fullLast.view()));
    expect(canonical(ownCommands(books2.view())), `seed ${seed}`).toEqual(canonical(ownCommands(fullBooks.view())));
  });
});

describe('GET and HEAD /snapshot', () => {
  it('HEAD names the newest snapshot and its size, and never writes one; GET writes the first', async () => {
    const seed = fuzzSeed();
    const topic = await newTopic('snap-head');
    const dir = tempStateDir();
    await produceLines(topic, handPushedLines(seededRandom(seed), 200));
    const list = await startTestView(listBooksView, { topic, 'state-dir': dir });
    cleanup.push(() => list.stop());
    await caughtUpTo(list.url, await topicEnds(topic));

    // No snapshot yet (200 events, far from --snapshot-every): HEAD says so and leaves the folder as it is.
    const none = await fetch(`${list.url}/snapshot`, { method: 'HEAD' });
    expect(none.status).toBe(404);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(snapshotFiles(dir)).toEqual([]);

    const got = await fetch(`${list.url}/snapshot`);
    expect(got.status).toBe(200);
    const body = Buffer.from(await got.arrayBuffer());
    const name = got.headers.get('x-bookshelf-snapshot');
    expect(snapshotFiles(dir)).toEqual([name]);

    const head = await fetch(`${list.url}/snapshot`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-bookshelf-snapshot')).toBe(name);
    expect(Number(head.headers.get('content-length'))).toBe(body.length);
    expect(head.headers.get('content-type')).toBe('application/x-ndjson');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    expect(snapshotFiles(dir)).toEqual([name]);
  });
});

/** The snapshot files in a state dir, temporary ones left out. */
const snapshotFiles = (dir: string): string[] => readdirSync(dir).filter((file) => file.endsWith('.snap'));
