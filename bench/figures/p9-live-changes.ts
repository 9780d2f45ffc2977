/**
 * P9 live changes: with 500 clients following GET /bookshelf/changes on the gateway and add-book commands
 * at 200/s, the time from a command's answer to its change reaching each client, against the same command
 * made visible by read-your-writes polling (a read of the book carrying the command's position). Commands go
 * to `books` and reads to `list-books` directly, as in P3, so that the gateway carries only the streams.
 */
import { randomBytes } from 'node:crypto';
import { percentileFigures, type BenchContext, type Figure, type Percentiles } from '../support/figure.js';
import { send } from '../support/http-client.js';
import { newTopic } from '../support/kafka.js';
import { atRate } from '../support/open-loop.js';
import { addBook, readAt } from '../support/read-your-writes.js';
import { startListening, waitHealthy } from '../support/services.js';
import { connectSseClients } from '../support/sse-clients.js';
import { percentile } from '../support/stats.js';

const CLIENTS = 500;
const RATE = 200;
const WARMUP_S = 1;
const MEASURE_S = 5;

/** Once more when a kept-alive connection was closed under the request: the command carries an idempotency key. */
const sendAgain: typeof send = (url, options) =>
  send(url, options).catch((error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? send(url, options) : Promise.reject(error)));

interface Run {
  /** Clients the gateway dropped for reading too slowly. */
  dropped: number;
  live: Percentiles;
  polled: Percentiles;
}

async function measure(gateway: string, books: string, list: string, run: number): Promise<Run> {
  const answeredAt = new Map<string, number>();
  const early = new Map<string, number[]>();
  const live: number[] = [];
  const polled: number[] = [];
  const counted = (book: string) => Number(book.split('-')[2]) >= RATE * WARMUP_S;
  const clients = connectSseClients(`${gateway}/bookshelf/changes`, CLIENTS, (book, at) => {
    if (!book.startsWith(`p9-${run}-`) || !counted(book)) return;
    const answered = answeredAt.get(book);
    if (answered !== undefined) live.push(Math.max(0, at - answered));
    else early.set(book, [...(early.get(book) ?? []), at]);
  });
  await clients.ready;
  let failures = 0;
  let firstFailure = '';
  const fail = (what: string, answer: { status: number; body: string }) => {
    failures++;
    firstFailure ||= `${what} answered ${answer.status} ${answer.body.slice(0, 200)}`;
  };
  try {
    await atRate(RATE, RATE * (WARMUP_S + MEASURE_S), async (i) => {
      const id = `p9-${run}-${i}`;
      try {
        const { answer: command, position } = await addBook(books, id, `Live ${i}`, {
          headers: { 'Idempotency-Key': id },
          sender: sendAgain,
        });
        const answered = performance.now();
        if (position === undefined) return fail('the command', command);
        answeredAt.set(id, answered);
        // A change that reached a client before the command's answer did counts as no wait at all.
        for (const _ of early.get(id) ?? []) if (counted(id)) live.push(0);
        early.delete(id);
        const read = await readAt(list, id, position, sendAgain);
        if (read.status !== 200) return fail('the read', read);
        if (counted(id)) polled.push(performance.now() - answered);
      } catch (error) {
        fail(`command ${i}`, { status: 0, body: (error as Error).message });
      }
    });
    // A client dropped by the gateway (it let too much pile up unread) gets only part of the changes.
    const expected = () => (CLIENTS - clients.ended()) * RATE * MEASURE_S;
    // Generous: on a busy machine the gateway's 200,000 frames a second can fall well behind.
    const deadline = Date.now() + 60_000;
    while (live.length < expected() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (failures > 0) {
      const services = (await send(`${gateway}/services`)).body;
      throw new Error(`P9: ${failures} commands not answered or not visible; the first: ${firstFailure}; the gateway knows ${services}`);
    }
    if (live.length < expected()) throw new Error(`P9: ${expected() - live.length} of ${expected()} changes never reached their client`);
  } finally {
    clients.close();
  }
  return {
    dropped: clients.ended(),
    live: { p50: percentile(live, 50), p99: percentile(live, 99) },
    polled: { p50: percentile(polled, 50), p99: percentile(polled, 99) },
  };
}

export async function liveChangeFigures(ctx: BenchContext): Promise<Figure[]> {
  const topic = await newTopic(ctx, 'live');
  const suffix = randomBytes(3).toString('hex');
  const names = { books: `bench-books-${suffix}`, booklist: `bench-booklist-${suffix}`, lastread: `bench-lastread-${suffix}` };
  const books = await startListening('books', { topic, register: true, name: names.books });
  const list = await startListening('list-books', { topic, register: true, name: names.booklist });
  const last = await startListening('last-read', { topic, register: true, name: names.lastread });
  const shelf = await startListening('shelf', {
    topic,
    name: `bench-shelf-${suffix}`,
    extraArgs: ['--books-service', names.books, '--booklist-service', names.booklist, '--lastread-service', names.lastread],
  });
  try {
    await Promise.all([waitHealthy(books.url), waitHealthy(list.url), waitHealthy(last.url)]);
    // The gateway learns of the three through Consul.
    for (let tries = 0; ; tries++) {
      const answer = await send(`${shelf.url}/services`);
      const known = JSON.parse(answer.body) as Record<string, { instances: { status: string }[] }>;
      if (Object.values(names).every((name) => known[name]?.instances.some((i) => i.status === 'passing'))) break;
      if (tries > 300) throw new Error('P9: the gateway does not see the services');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runs: Run[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      runs.push(await measure(shelf.url, books.url, list.url, run));
      const { live, polled, dropped } = runs[run]!;
      ctx.log(
        `P9 run ${run + 1}: ${dropped} of ${CLIENTS} clients dropped as too slow; answer → SSE client p50 ${live.p50.toFixed(1)} ms, p99 ${live.p99.toFixed(1)} ms; answer → visible by polling p50 ${polled.p50.toFixed(1)} ms, p99 ${polled.p99.toFixed(1)} ms`,
      );
    }
    return percentileFigures({
      id: 'P9',
      what: (p) => `${p} command answered → change at ${CLIENTS} SSE clients, ${RATE} commands/s`,
      values: runs.map((r) => r.live),
      baselineName: 'read-your-writes read of the same command from list-books',
      baselines: runs.map((r) => r.polled),
      notes: `clients dropped as too slow, per run: ${runs.map((r) => r.dropped).join(', ')}`,
    });
  } finally {
    await Promise.all([shelf.stop(), books.stop(), list.stop(), last.stop()]);
  }
}
