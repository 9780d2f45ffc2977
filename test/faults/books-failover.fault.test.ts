/**
 * The write side under failure: three `books` processes share a 6-partition topic behind the gateway while
 * clients send commands with Idempotency-Keys and repeat them after a 503. One owner is killed with -9, or
 * stopped (SIGSTOP) until its partitions have a new owner and resumed as a zombie, or the service is scaled
 * 1 → 3 → 1. Afterwards every acknowledged command is in the log exactly once and every book's versions are 1..n.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CONSUL, createTopic, unique } from '../support/infra.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { checkLog, sendUntilAnswered, startLoad, type LogCheck, type Sent } from '../support/book-load.js';
import { deleteTopic, idOnPartition, ownersInConsul, waitForCoverage } from '../support/owners.js';
import { freePort, killNow, runEntry, serviceArgs, type RunningProcess } from '../support/processes.js';
import { recordReliability, seconds } from '../support/reliability-report.js';
import { startTestShelf } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const PARTITIONS = 6;
const SESSION_TIMEOUT_S = 10;
const ok = (sent: Sent) => sent.status >= 200 && sent.status < 300;

/** What the reliability report says of the commands sent and the log they left. */
const logFigures = (results: Sent[], check: LogCheck) => ({
  commands: results.length,
  acknowledged: results.filter(ok).length,
  events: check.events,
  lost: check.lost.length,
  twice: check.twice.length,
  gaps: check.gaps.length,
});

const cleanup = cleanupAfterAll();

/**
 * A PUT on a connection of its own. A pooled idle connection to a process that is then stopped is closed by its
 * overdue keep-alive timer the moment it resumes, before it reads a request that came meanwhile: no answer at all.
 */
function putOnNewConnection(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; header: (name: string) => string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const header = (name: string) => {
          const value = res.headers[name];
          return typeof value === 'string' ? value : null;
        };
        resolve({ status: res.statusCode ?? 0, header, body: Buffer.concat(chunks).toString() });
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function booksCluster(count: number) {
  const topic = unique('failover');
  const name = unique('books');
  await createTopic(topic, PARTITIONS);
  cleanup.push(() => deleteTopic(topic));
  const processes: { process: RunningProcess; port: number; id: string }[] = [];
  const start = async () => {
    const port = await freePort();
    const process = runEntry('books', [
      ...serviceArgs({ topic, name, port, checkInterval: '1s', logLevel: globalThis.process.env.BOOKS_LOG_LEVEL ?? 'warn' }),
      ...['--session-timeout', String(SESSION_TIMEOUT_S), '--deregister-after', '1m'],
    ]);
    cleanup.push(() => killNow(process.child));
    const entry = { process, port, id: '' };
    processes.push(entry);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, {
      timeout: 60_000,
      what: `books on ${port} ready (stderr: ${process.stderr().slice(-300)})`,
    });
    entry.id = await waitFor(
      async () => {
        const services = (await (await fetch(`http://${CONSUL}/v1/agent/services`)).json()) as Record<
          string,
          { Port: number; Service: string }
        >;
        return Object.entries(services).find(([, s]) => s.Service === name && s.Port === port)?.[0];
      },
      { what: 'registered id' },
    );
    cleanup.push(() => fetch(`http://${CONSUL}/v1/agent/service/deregister/${encodeURIComponent(entry.id)}`, { method: 'PUT' }));
    return entry;
  };
  for (let i = 0; i < count; i++) await start();
  await waitForCoverage(name, PARTITIONS, count, 60_000);
  const shelf = await startTestShelf({ books: name });
  cleanup.push(() => shelf.stop());
  const ownedBy = async (id: string) => [...(await ownersInConsul(name))].filter(([, ids]) => ids.includes(id)).map(([p]) => p);
  return { topic, name, processes, shelf, start, ownedBy };
}

/** For each partition, how long after `since` the first acknowledged command on it was answered. */
const firstAnswerAfter = (results: Sent[], partitions: number[], since: number): number[] =>
  partitions.map((p) =>
    Math.min(...results.filter((r) => r.partition === p && ok(r) && r.answeredAt > since).map((r) => r.answeredAt - since)),
  );

function expectClean(check: Awaited<ReturnType<typeof checkLog>>, results: Sent[]) {
  expect(results.filter((r) => r.status === 0).map((r) => r.key)).toEqual([]);
  expect(check.lost).toEqual([]);
  expect(check.twice).toEqual([]);
  expect(check.gaps).toEqual([]);
  expect(check.refusedButWritten).toEqual([]);
}

describe('books when an owner fails', () => {
  it('kill -9 of an owner: its books take commands again within the session timeout + 2 s, and nothing is lost or applied twice', async () => {
    const { topic, processes, shelf, ownedBy } = await booksCluster(3);
    const load = startLoad({ base: () => shelf.url, partitions: PARTITIONS });
    await waitFor(() => load.results.filter(ok).length > 60, { timeout: 60_000, what: 'commands answered before the kill' });
    const victim = processes[0]!;
    const its = await ownedBy(victim.id);
    expect(its.length).toBe(2);
    const killedAt = Date.now();
    await killNow(victim.process.child);
    await waitFor(() => firstAnswerAfter(load.results, its, killedAt).every(Number.isFinite), {
      timeout: 40_000,
      what: 'commands for the killed owner’s books answered again',
    });
    const recovery = Math.max(...firstAnswerAfter(load.results, its, killedAt));
    await waitFor(() => load.results.filter((r) => ok(r) && r.sentAt > killedAt + recovery).length > 30, {
      timeout: 30_000,
      what: 'more commands after recovery',
    });
    const results = await load.stop();
    const check = await checkLog(topic, results);
    recordReliability('books-kill', {
      fault: `3 books on a ${PARTITIONS}-partition topic behind shelf, 4 clients with Idempotency-Keys repeating 503s; the owner of 2 partitions is killed with -9 (session timeout ${SESSION_TIMEOUT_S} s)`,
      guarantee: `every 2xx command in the log once, at its position; versions 1..n per book; its books take commands again within ${SESSION_TIMEOUT_S + 2} s`,
      figures: {
        ...logFigures(results, check),
        'first 2xx after kill, s': seconds(recovery),
      },
    });
    expectClean(check, results);
    expect(recovery).toBeLessThanOrEqual((SESSION_TIMEOUT_S + 2) * 1000);
  });

  it('a zombie owner (SIGSTOP until its partitions moved, then SIGCONT) writes nothing more, its waiting clients get 503, versions stay contiguous', async () => {
    const { topic, name, processes, shelf, ownedBy } = await booksCluster(3);
    const load = startLoad({ base: () => shelf.url, partitions: PARTITIONS });
    await waitFor(() => load.results.filter(ok).length > 60, { timeout: 60_000, what: 'commands answered before the stop' });
    const zombie = processes[0]!;
    const its = await ownedBy(zombie.id);
    // Books on its partitions, read by it: the zombie's view of them goes stale while it is stopped.
    const targets = its.flatMap((p) => [idOnPartition(p, PARTITIONS, 'z'), idOnPartition(p, PARTITIONS, 'z')]);
    const base = () => shelf.url;
    for (const book of targets) {
      expect(ok(await sendUntilAnswered(base, { key: `add-${book}`, kind: 'add', book, partition: 0 }))).toBe(true);
      expect(ok(await sendUntilAnswered(base, { key: `finish-${book}`, kind: 'finish', book, partition: 0 }))).toBe(true);
    }
    const direct = (n: number, book: string): Promise<Sent> => {
      const key = `zombie-${n}-${book}`;
      const sentAt = Date.now();
      return putOnNewConnection(
        `http://127.0.0.1:${zombie.port}/books/${book}/rating`,
        { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        JSON.stringify({ rating: 1 + (n % 5) }),
      )
        .then((response) => ({
          status: response.status,
          position: response.header('x-bookshelf-position'),
          served: response.header('x-served-by'),
          body: response.body,
        }))
        .catch(() => ({ status: 0, position: null, served: null, body: '' }))
        .then((answer) => ({ key, kind: 'rate' as const, book, partition: 0, sentAt, answeredAt: Date.now(), attempts: 1, ...answer }));
    };
    // Commands in flight at the zombie when it stops, and more sent to it while it is stopped (answered once it resumes).
    const inFlight = targets.map((book, n) => direct(n, book));
    zombie.process.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    cleanup.push(() => zombie.process.child.kill('SIGCONT'));
    await waitFor(
      async () => {
        const owners = await ownersInConsul(name);
        return its.every((p) => owners.get(p)?.length === 1 && owners.get(p)?.[0] !== zombie.id);
      },
      { timeout: 40_000, what: 'the zombie’s partitions owned by the others' },
    );
    // The new owners write on the same books.
    const overwritten: Sent[] = [];
    for (const book of targets) overwritten.push(await sendUntilAnswered(base, { key: `after-${book}`, kind: 'rate', book, partition: 0 }));
    expect(overwritten.every(ok)).toBe(true);
    const tookOverAt = Date.now();
    const whileStopped = targets.map((book, n) => direct(100 + n, book));
    await new Promise((resolve) => setTimeout(resolve, 200));
    zombie.process.child.kill('SIGCONT');
    const first = await Promise.all(inFlight);
    const second = await Promise.all(whileStopped);
    await waitFor(() => load.results.filter((r) => ok(r) && r.sentAt > tookOverAt).length > 30, {
      timeout: 30_000,
      what: 'more commands after the zombie resumed',
    });
    const results = await load.stop();
    const check = await checkLog(topic, [...results, ...overwritten, ...first, ...second]);
    const servedByZombie = (answer: Sent) =>
      answer.served === null || answer.served.endsWith(`:${zombie.port}`) || answer.served === zombie.id;
    recordReliability('books-zombie', {
      fault: `3 books on a ${PARTITIONS}-partition topic; the owner of 2 partitions is stopped (SIGSTOP) with ${first.length} commands in flight, its partitions taken over and written, ${second.length} more commands sent to it, then resumed (SIGCONT)`,
      guarantee:
        'nothing it sends after the takeover lands: its commands are 503 (or forwarded to the new owner), versions 1..n per book, every 2xx in the log once',
      figures: {
        'in flight: 2xx': first.filter(ok).length,
        'in flight: 503': first.filter((a) => a.status === 503).length,
        'sent while stopped: 503': second.filter((a) => a.status === 503).length,
        'sent while stopped: its own 2xx': second.filter((a) => ok(a) && servedByZombie(a)).length,
        'partitions moved after, s': seconds(tookOverAt - stoppedAt),
        lost: check.lost.length,
        twice: check.twice.length,
        gaps: check.gaps.length,
      },
    });
    expectClean(check, results);
    // Commands sent to it after the takeover: refused, or answered by the new owner; never written by the zombie.
    expect(second.filter((a) => !(a.status === 503 || (ok(a) && !servedByZombie(a))))).toEqual([]);
    expect(first.filter((a) => !(a.status === 503 || ok(a)))).toEqual([]);
  });

  it('scale 1 → 3 → 1 under load (SIGTERM): the partitions move within 3 s of a stop, nothing acknowledged is lost or applied twice', async () => {
    const { topic, name, processes, shelf, start } = await booksCluster(1);
    const load = startLoad({ base: () => shelf.url, partitions: PARTITIONS });
    await waitFor(() => load.results.filter(ok).length > 40, { timeout: 60_000, what: 'commands answered on one instance' });
    await start();
    await start();
    await waitForCoverage(name, PARTITIONS, 3, 60_000);
    const scaledUpAt = Date.now();
    await waitFor(() => load.results.filter((r) => ok(r) && r.sentAt > scaledUpAt).length > 40, {
      timeout: 60_000,
      what: 'commands answered on three instances',
    });
    const moves: number[] = [];
    for (const leaving of processes.slice(1)) {
      const its = [...(await ownersInConsul(name))].filter(([, ids]) => ids.includes(leaving.id)).map(([p]) => p);
      const termAt = Date.now();
      leaving.process.child.kill('SIGTERM');
      expect(await leaving.process.exited).toMatchObject({ code: 0 });
      await waitFor(() => firstAnswerAfter(load.results, its, termAt).every(Number.isFinite), {
        timeout: 30_000,
        what: 'its partitions answered by the others',
      });
      moves.push(Math.max(...firstAnswerAfter(load.results, its, termAt)));
    }
    await waitForCoverage(name, PARTITIONS, 1, 30_000);
    const scaledDownAt = Date.now();
    await waitFor(() => load.results.filter((r) => ok(r) && r.sentAt > scaledDownAt).length > 30, {
      timeout: 30_000,
      what: 'commands answered on one instance again',
    });
    const results = await load.stop();
    const check = await checkLog(topic, results);
    recordReliability('books-scale', {
      fault: `books scaled 1 → 3 → 1 (SIGTERM) on a ${PARTITIONS}-partition topic behind shelf, 4 clients sending commands throughout`,
      guarantee: 'every 2xx command in the log once; versions 1..n per book; a stopped owner’s partitions answer again within 3 s',
      figures: {
        ...logFigures(results, check),
        'slowest move after SIGTERM, s': seconds(Math.max(...moves)),
      },
    });
    expectClean(check, results);
    for (const move of moves) expect(move).toBeLessThanOrEqual(3000);
  });
});
