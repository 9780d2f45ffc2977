/**
 * Acknowledged means kept: `books` under steady command load on a three-broker cluster (replication
 * factor 3, min.insync.replicas 2) while the broker leading every partition is killed with -9. Every
 * command that got a 2xx must be in the log and in list-books exactly once; a command that got 503
 * must not be in the log.
 */
import { describe, expect, it } from 'vitest';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startTestBooks, startTestView } from '../support/in-process.js';
import { kafkaCluster } from '../support/kafka-brokers.js';
import { unique } from '../support/infra.js';
import { recordReliability, seconds } from '../support/reliability-report.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

const CLIENTS = 6;
const BEFORE_KILL_MS = 5000;
/** Load goes on until commands have been accepted again for this long after the kill. */
const AFTER_RECOVERY_MS = 5000;

interface Sent {
  kind: 'add' | 'finish';
  book: string;
  status: number;
  code?: string;
  position?: string;
  /** When the answer came, and how long it took. */
  at: number;
  ms: number;
}

interface LogEvent {
  name: string;
  book: string;
  at: string;
}

/** Every event on the topic, read from the beginning, with where it stands. */
async function readLog(cluster: Awaited<ReturnType<typeof kafkaCluster>>, topic: string, running: string[]): Promise<LogEvent[]> {
  const kafka = cluster.kafka(running);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const events: LogEvent[] = [];
  // Offsets also number transaction markers and aborted records: read until each partition's end, not a count.
  const next = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: unique('audit') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => next.set(payload.partition, Number(payload.lastOffset) + 1));
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const event = JSON.parse(message.value!.toString()) as { name: string; payload: { id: string } };
      events.push({ name: event.name, book: event.payload.id, at: `${partition}:${message.offset}` });
      return Promise.resolve();
    },
  });
  await waitFor(() => ends.every((end) => Number(end.high) === Number(end.low) || (next.get(end.partition) ?? 0) >= Number(end.high)), {
    timeout: 60_000,
    what: 'the log read to its end',
  });
  await consumer.disconnect();
  return events;
}

describe('books when the leader broker dies under load', () => {
  const cleanup = cleanupAfterAll();

  it('keeps every acknowledged command exactly once and writes none it refused', async () => {
    const cluster = await kafkaCluster();
    cleanup.push(() => cluster.remove());
    await cluster.start();
    const topic = unique('acks');
    const leader = cluster.brokers[0]!;
    await cluster.createTopic(topic, 3, leader.nodeId);
    expect((await cluster.partitions(topic)).map((p) => p.leader)).toEqual([leader.nodeId, leader.nodeId, leader.nodeId]);

    const books = await startTestBooks({ topic, broker: cluster.addresses });
    cleanup.push(() => books.stop());
    await waitFor(async () => (await books.send('GET', '/health')).status === 200, { timeout: 60_000, what: 'books caught up' });

    // Steady load: each client adds a book of its own, then finishes it about half the time.
    const sent: Sent[] = [];
    let running = true;
    let next = 0;
    const command = async (kind: Sent['kind'], book: string): Promise<Sent> => {
      const [method, path, body] =
        kind === 'add' ? ['POST', '/books', { id: book, title: `Title ${book}` }] : ['POST', `/books/${book}/finished`, undefined];
      const startedAt = Date.now();
      const answer = await books.send(method, path, body);
      const result: Sent = {
        kind,
        book,
        status: answer.status,
        at: Date.now(),
        ms: Date.now() - startedAt,
        ...(typeof answer.body?.code === 'string' && { code: answer.body.code }),
      };
      const position = answer.headers.get('x-bookshelf-position');
      if (position) result.position = position;
      sent.push(result);
      return result;
    };
    const client = async () => {
      while (running) {
        const number = ++next;
        const book = `ack-${number}`;
        const added = await command('add', book);
        if (added.status === 201 && number % 2 === 0) await command('finish', book);
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);

    await waitFor(() => sent.filter((s) => s.status === 201).length > 50 && Date.now() - sent[0]!.at > BEFORE_KILL_MS, {
      timeout: 60_000,
      what: 'steady load',
    });
    const killedAt = Date.now();
    await leader.kill();
    const survivors = cluster.brokers.filter((broker) => broker.isRunning()).map((broker) => broker.address);
    const newLeaders = await waitFor(
      async () => {
        const partitions = await cluster.partitions(topic);
        return partitions.every((p) => p.leader !== leader.nodeId && p.leader >= 0) && partitions;
      },
      { timeout: 60_000, interval: 100, what: 'new partition leaders' },
    );
    const failoverMs = Date.now() - killedAt;
    await waitFor(
      () => {
        const firstAccepted = sent.find((s) => s.at > killedAt + failoverMs && s.status < 300);
        return firstAccepted !== undefined && Date.now() - firstAccepted.at > AFTER_RECOVERY_MS;
      },
      { timeout: 120_000, what: 'commands accepted again after the failover' },
    );
    running = false;
    await Promise.all(clients);

    // The log, read from the beginning on the brokers still running.
    const log = await readLog(cluster, topic, survivors);
    const byPosition = new Map(log.map((event) => [event.at, event]));
    const acked = sent.filter((s) => s.status >= 200 && s.status < 300);
    const refused = sent.filter((s) => s.status === 503);
    const other = sent.filter((s) => !(s.status >= 200 && s.status < 300) && s.status !== 503);

    // Per book and event name: how many the log has, against how many acknowledged commands wrote.
    const eventsOf = { add: ['book-added'], finish: ['book-started', 'book-read'] } as const;
    const tally = new Map<string, { inLog: number; acked: number; refused: number }>();
    const entry = (book: string, name: string) => {
      const key = `${book} ${name}`;
      let counts = tally.get(key);
      if (!counts) tally.set(key, (counts = { inLog: 0, acked: 0, refused: 0 }));
      return counts;
    };
    for (const event of log) entry(event.book, event.name).inLog++;
    for (const s of acked) for (const name of eventsOf[s.kind]) entry(s.book, name).acked++;
    for (const s of refused) for (const name of eventsOf[s.kind]) entry(s.book, name).refused++;
    const ackedLost: string[] = [];
    const ackedTwice: string[] = [];
    const refusedWritten: string[] = [];
    for (const [key, { inLog, acked: wrote, refused: refusedHere }] of tally) {
      if (inLog < wrote) ackedLost.push(key);
      else if (inLog > wrote && refusedHere > 0) refusedWritten.push(key);
      else if (inLog > wrote) ackedTwice.push(key);
    }
    const ackedElsewhere = acked.filter((s) => {
      const event = s.position === undefined ? undefined : byPosition.get(s.position);
      return event === undefined || event.name !== eventsOf[s.kind].at(-1) || event.book !== s.book;
    });
    const ackedFinishes = new Set(acked.filter((s) => s.kind === 'finish').map((s) => s.book));

    // list-books, read from the start, must show each acknowledged book once with its acknowledged reads.
    const view = await startTestView(listBooksView, { topic, broker: survivors });
    cleanup.push(() => view.stop());
    await waitFor(
      async () => {
        const health = (await view.get('/health')).body as { status: string; lag: number };
        return health.status === 'pass' && health.lag === 0;
      },
      { timeout: 60_000, what: 'list-books caught up' },
    );
    const rows = (await view.get('/')).body as { id: string; readCount: number }[];
    const rowsById = new Map<string, number>();
    for (const row of rows) rowsById.set(row.id, (rowsById.get(row.id) ?? 0) + 1);
    const ackedBooks = acked.filter((s) => s.kind === 'add').map((s) => s.book);
    const viewMissing = ackedBooks.filter((book) => !rowsById.has(book));
    const viewTwice = [...rowsById].filter(([, count]) => count > 1);
    const viewReadsWrong = rows.filter((row) => row.readCount !== (ackedFinishes.has(row.id) ? 1 : 0));
    const refusedInView = refused.filter((s) => s.kind === 'add' && rowsById.has(s.book));

    const firstRefused = refused.find((s) => s.at >= killedAt);
    const lastRefused = [...refused].reverse().find((s) => s.at >= killedAt);
    recordReliability('acknowledged means kept', {
      fault: `3 brokers (replication factor 3, min.insync.replicas 2); ${CLIENTS} clients send commands to books; the broker leading all 3 partitions is killed with -9`,
      guarantee: 'every 2xx command is in the log and in list-books exactly once; no 503 command is in the log',
      figures: {
        commands: sent.length,
        'acked (2xx)': acked.length,
        'refused (503)': refused.length,
        'other answers': other.length,
        'new leaders after s': seconds(failoverMs),
        'slowest answer s': seconds(Math.max(...sent.map((s) => s.ms))),
        '503 window s': firstRefused && lastRefused ? seconds(lastRefused.at - firstRefused.at) : 0,
        'acked lost': ackedLost.length,
        'acked twice': ackedTwice.length + viewTwice.length,
        'acked at a wrong position': ackedElsewhere.length,
        'refused but written': refusedWritten.length,
        'events in the log': log.length,
      },
    });

    expect(newLeaders.map((p) => p.isr.length)).toEqual([2, 2, 2]);
    expect(acked.length).toBeGreaterThan(100);
    expect(other).toEqual([]);
    expect({ ackedLost, ackedTwice, ackedElsewhere }).toEqual({ ackedLost: [], ackedTwice: [], ackedElsewhere: [] });
    expect(refusedWritten).toEqual([]);
    expect({ viewMissing, viewTwice, viewReadsWrong, refusedInView }).toEqual({
      viewMissing: [],
      viewTwice: [],
      viewReadsWrong: [],
      refusedInView: [],
    });
    expect(log.length).toBe(acked.reduce((sum, s) => sum + eventsOf[s.kind].length, 0));
  });
});
