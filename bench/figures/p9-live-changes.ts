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
import { connectSseClients, now, type SseClients } from '../support/sse-clients.js';
import { percentile } from '../support/stats.js';

const CLIENTS = 500;
const RATE = 200;
const WARMUP_S = 1;
const MEASURE_S = 5;

/**
 * Once more, on a new connection, when a kept-alive one was closed under the request (the server's idle timer
 * and the request crossed): the command carries an idempotency key, the read changes nothing.
 */
const sendAgain: typeof send = (url, options) =>
  send(url, options).catch((error: NodeJS.ErrnoException) =>
    error.code === 'ECONNRESET' ? send(url, { ...options, fresh: true }) : Promise.reject(error),
  );

interface Run {
  /** Clients the gateway dropped for reading too slowly. */
  dropped: number;
  /** How busy the clients' thread was, 0–1. */
  clientsBusy: number;
  live: Percentiles;
  polled: Percentiles;
}

/** A client dropped by the gateway (it let too much pile up unread) gets only part of the changes. */
const expected = (clients: SseClients) => (CLIENTS - clients.ended()) * RATE * MEASURE_S;

async function measure(gateway: string, books: string, list: string, run: number): Promise<Run> {
  const polled: number[] = [];
  const counted = (i: number) => i >= RATE * WARMUP_S;
  const clients = connectSseClients({
    url: `${gateway}/bookshelf/changes`,
    count: CLIENTS,
    prefix: `p9-${run}-`,
    countFrom: RATE * WARMUP_S,
  });
  let live: number[];
  let busy: number;
  let failures = 0;
  let firstFailure = '';
  const fail = (what: string, answer: { status: number; body: string }) => {
    failures++;
    firstFailure ||= `${what} answered ${answer.status} ${answer.body.slice(0, 200)}`;
  };
  try {
    await clients.ready;
    await atRate(RATE, RATE * (WARMUP_S + MEASURE_S), async (i) => {
      const id = `p9-${run}-${i}`;
      try {
        const { answer: command, position } = await addBook(books, id, `Live ${i}`, {
          headers: { 'Idempotency-Key': id },
          sender: sendAgain,
        });
        const answered = now();
        if (position === undefined) return fail('the command', command);
        clients.answered(id, answered);
        const read = await readAt(list, id, position, sendAgain);
        if (read.status !== 200) return fail('the read', read);
        if (counted(i)) polled.push(now() - answered);
      } catch (error) {
        fail(`command ${i} (or its read)`, { status: 0, body: `${(error as Error).message} (${(error as NodeJS.ErrnoException).code})` });
      }
    });
    // Generous: on a busy machine the gateway's frames can fall well behind.
    const deadline = Date.now() + 60_000;
    while (clients.seen() < expected(clients) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (failures > 0) {
      const services = (await send(`${gateway}/services`)).body;
      throw new Error(`P9: ${failures} commands not answered or not visible; the first: ${firstFailure}; the gateway knows ${services}`);
    }
  } finally {
    ({ latencies: live, busy } = await clients.finish());
  }
  if (live.length < expected(clients))
    throw new Error(`P9: ${expected(clients) - live.length} of ${expected(clients)} changes never reached their client`);
  return {
    dropped: clients.ended(),
    clientsBusy: busy,
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
    // … and follows both views' changes: else each client would get a stream of its own from the views.
    for (let tries = 0; ; tries++) {
      const { changes } = JSON.parse((await send(`${shelf.url}/health`)).body) as { changes?: Record<string, string> };
      if (changes !== undefined && Object.values(changes).length > 0 && Object.values(changes).every((state) => state === 'live')) break;
      if (tries > 300) throw new Error(`P9: the gateway does not follow the views' changes: ${JSON.stringify(changes)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runs: Run[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      runs.push(await measure(shelf.url, books.url, list.url, run));
      const { live, polled, dropped, clientsBusy } = runs[run]!;
      ctx.log(
        `P9 run ${run + 1}: ${dropped} of ${CLIENTS} clients dropped as too slow, their thread busy ${(clientsBusy * 100).toFixed(0)} %; answer → SSE client p50 ${live.p50.toFixed(1)} ms, p99 ${live.p99.toFixed(1)} ms; answer → visible by polling p50 ${polled.p50.toFixed(1)} ms, p99 ${polled.p99.toFixed(1)} ms`,
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
