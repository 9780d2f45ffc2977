/**
 * Clients that keep sending Book commands as careful users do: each with its own Idempotency-Key, repeated
 * with the same key after a 503 or a lost connection until a definite answer. And the check of the log that
 * follows: every acknowledged command in it exactly once, every book's versions 1..n.
 */
import { randomUUID } from 'node:crypto';
import { partitionOf } from '../../bookshelf/app/book-partition.js';
import { retry } from '../../bookshelf/app/retry.js';
import { readTopic } from './owners.js';

export interface Sent {
  key: string;
  kind: 'add' | 'start' | 'finish' | 'rate';
  book: string;
  partition: number;
  /** The final answer; 0 when the client gave up. */
  status: number;
  position: string | null;
  sentAt: number;
  answeredAt: number;
  attempts: number;
  served: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one command until a definite answer (not 502/503/504, not a lost connection), for at most `giveUpMs`. */
export async function sendUntilAnswered(
  base: () => string,
  command: Omit<Sent, 'status' | 'position' | 'sentAt' | 'answeredAt' | 'attempts' | 'served'>,
  giveUpMs = 40_000,
): Promise<Sent> {
  const sentAt = Date.now();
  const [method, path, body] =
    command.kind === 'add'
      ? ['POST', '/bookshelf/books', { id: command.book, title: `Book ${command.book}` }]
      : command.kind === 'rate'
        ? ['PUT', `/bookshelf/books/${command.book}/rating`, { rating: 1 + (command.book.length % 5) }]
        : ['POST', `/bookshelf/books/${command.book}/${command.kind === 'start' ? 'started' : 'finished'}`, undefined];
  let attempts = 0;
  const answer = async (): Promise<Sent> => {
    attempts++;
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: { 'Idempotency-Key': command.key, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer();
    if ([502, 503, 504].includes(response.status)) throw new Error(`answered ${response.status}`);
    return {
      ...command,
      status: response.status,
      position: response.headers.get('x-bookshelf-position'),
      sentAt,
      answeredAt: Date.now(),
      attempts,
      served: response.headers.get('x-served-by'),
    };
  };
  // A lost connection too: the command may or may not have been taken; the key makes the repeat safe. 100 to 250 ms apart.
  return retry(answer, {
    initialMs: 175,
    maxMs: 175,
    factor: 1,
    jitter: 75 / 175,
    retryOn: 'any',
    stop: () => Date.now() - sentAt > giveUpMs,
  }).catch(() => ({ ...command, status: 0, position: null, sentAt, answeredAt: Date.now(), attempts, served: null }));
}

/** `clients` loops adding books and starting, finishing and rating them through `base()` (the gateway). */
export function startLoad({
  base,
  partitions,
  clients = 4,
  pauseMs = 20,
}: {
  base: () => string;
  partitions: number;
  clients?: number;
  pauseMs?: number;
}) {
  const results: Sent[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    const books: { id: string; read: boolean }[] = [];
    for (let n = 0; running; n++) {
      const pick = books.length < 3 || Math.random() < 0.25 ? undefined : books[Math.floor(Math.random() * books.length)]!;
      const book = pick?.id ?? `c${client}-${randomUUID().slice(0, 8)}`;
      const kind = pick === undefined ? 'add' : pick.read && Math.random() < 0.4 ? 'rate' : Math.random() < 0.2 ? 'start' : 'finish';
      const sent = await sendUntilAnswered(base, {
        key: `k-${client}-${n}-${randomUUID().slice(0, 6)}`,
        kind,
        book,
        partition: partitionOf(book, partitions),
      });
      results.push(sent);
      if (kind === 'add' && sent.status === 201) books.push({ id: book, read: false });
      if (kind === 'finish' && sent.status === 204) pick!.read = true;
      await sleep(pauseMs);
    }
  });
  return {
    results,
    async stop(): Promise<Sent[]> {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

export interface LogCheck {
  events: number;
  books: number;
  /** 2xx answers whose events are not at the position they named. */
  lost: string[];
  /** Keys whose events are in the log more than once. */
  twice: string[];
  /** Books whose versions are not 1..n in log order. */
  gaps: string[];
  /** Keys answered 4xx (or not at all) whose events are in the log all the same. */
  refusedButWritten: string[];
}

/** Reads the whole topic and checks the answers against it. */
export async function checkLog(topic: string, answers: Sent[]): Promise<LogCheck> {
  const events = await readTopic(topic);
  const byBook = new Map<string, number[]>();
  const byKey = new Map<string, { partition: number; offset: number; name: string }[]>();
  for (const { partition, offset, value } of events) {
    const aggregate = value.aggregate as string;
    byBook.set(aggregate, [...(byBook.get(aggregate) ?? []), value.version as number]);
    const key = value.command as string | null;
    if (key !== null) byKey.set(key, [...(byKey.get(key) ?? []), { partition, offset, name: value.name as string }]);
  }
  const gaps = [...byBook]
    .filter(([, versions]) => versions.some((v, i) => v !== i + 1))
    .map(([book, versions]) => `${book}: ${versions.join(',')}`);
  const twice = [...byKey].filter(([, list]) => new Set(list.map((e) => e.name)).size !== list.length).map(([key]) => key);
  const lost: string[] = [];
  const refusedButWritten: string[] = [];
  for (const answer of answers) {
    const written = byKey.get(answer.key) ?? [];
    if (answer.status >= 200 && answer.status < 300) {
      if (answer.position === null) continue;
      const [partition, offset] = answer.position.split(':').map(Number);
      if (!written.some((e) => e.partition === partition && e.offset === offset))
        lost.push(`${answer.key} ${answer.kind} ${answer.book} at ${answer.position}`);
    } else if (written.length > 0) refusedButWritten.push(`${answer.key} ${answer.kind} ${answer.book}: ${answer.status}`);
  }
  return { events: events.length, books: byBook.size, lost, twice, gaps, refusedButWritten };
}
