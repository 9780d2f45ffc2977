/**
 * A rolling upgrade of a view: a new instance (same Consul name) starts next to the old one and replays the log
 * (a new projection version does), *warning* in Consul while it catches up, then *passing*; the old one is stopped.
 * Reads through the gateway go on all along, and every one of them answers the whole shelf.
 */
import { describe, expect, it } from 'vitest';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { CONSUL, checkStatus, newTopic, unique } from '../support/infra.js';
import { startTestShelf, startTestView } from '../support/in-process.js';
import { caughtUpTo, handPushedLines, produceLines, topicEnds } from '../support/snapshot-log.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

describe('a rolling upgrade of list-books', () => {
  it('never fails a read through the gateway, and the new instance is warning until caught up', async () => {
    const seed = fuzzSeed();
    const topic = await newTopic('rolling');
    await produceLines(topic, handPushedLines(seededRandom(seed), 20_000));
    const ends = await topicEnds(topic);
    const name = unique('booklist');
    const old = await startTestView(listBooksView, { topic, name, register: true });
    cleanup.push(() => old.stop());
    await caughtUpTo(old.url, ends);
    await waitFor(async () => (await checkStatus(name)).includes('passing'), { what: 'the old instance passing' });
    const shelf = await startTestShelf({ booklist: name });
    cleanup.push(() => shelf.stop());
    const books = await waitFor(async () => {
      const answer = await shelf.send('GET', '/bookshelf/books');
      return answer.status === 200 && (answer.body as unknown as unknown[]).length;
    });

    // Reads all along, each checked: 200 and the whole shelf, never a view half-way through the log.
    const failures: string[] = [];
    let reads = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const answer = await shelf.send('GET', '/bookshelf/books').catch((error: Error) => ({ status: 0, body: error.message }));
        reads++;
        const count = Array.isArray(answer.body) ? answer.body.length : -1;
        if (answer.status !== 200 || count !== books) failures.push(`${answer.status}: ${count} books`);
      }
    })();
    // What Consul says of each instance, as it changes: the worst of its checks (two while one replaces the other).
    const seen = new Map<string, string[]>();
    const severity = ['passing', 'warning', 'critical'];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const checks = (await (await fetch(`http://${CONSUL}/v1/health/checks/${name}`)).json()) as { ServiceID: string; Status: string }[];
        const worst = new Map<string, string>();
        for (const { ServiceID, Status } of checks) {
          const before = worst.get(ServiceID);
          if (before === undefined || severity.indexOf(Status) > severity.indexOf(before)) worst.set(ServiceID, Status);
        }
        for (const [id, status] of worst) {
          const statuses = seen.get(id) ?? [];
          if (statuses.at(-1) !== status) statuses.push(status);
          seen.set(id, statuses);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // The new version's projection is another: it replays the whole log (no snapshot of its own to start from).
    const upgraded = await startTestView(listBooksView, { topic, name, register: true, snapshots: false });
    cleanup.push(() => upgraded.stop());
    await caughtUpTo(upgraded.url, ends);
    await waitFor(() => seen.get(upgraded.id)?.at(-1) === 'passing', { what: 'the new instance passing in Consul' });
    await old.stop();
    await waitFor(() => !seen.has(old.id) || (seen.get(old.id)?.length ?? 0) > 0, { what: 'the old one gone' });
    const readsAfter = reads;
    await waitFor(() => reads > readsAfter + 20, { what: 'reads after the old instance stopped' });
    reading = false;
    watching = false;
    await Promise.all([reader, watcher]);

    expect(failures, `seed ${seed}`).toEqual([]);
    // Critical only for the moment before Kafka first answers it; then warning while it catches up, then passing.
    const statuses = seen.get(upgraded.id) ?? [];
    expect(statuses.slice(statuses.indexOf('warning')), `what Consul showed of the new instance: ${statuses.join(', ')}`).toEqual([
      'warning',
      'passing',
    ]);
  });
});
