/**
 * Writes the events of one partition in Kafka transactions, as its only writer: a transactional producer
 * whose id names topic and partition. Opening it bumps the producer epoch, which fences any earlier writer
 * with that id (its open transaction is aborted, its next send or commit fails). Appends that arrive while a
 * transaction's events are being sent join it with a second send; those that arrive later go together in the next
 * one (group commit): one transaction, many commands.
 *
 * A command is answered 2xx only once its transaction committed. A failed send is aborted (never committed:
 * the 503 is true). A commit whose answer was lost may have happened: its callers get an OutcomeUnknownError
 * with the offsets it was sent to, so that the owner can look in the log once it has the partition again.
 */
import type { Kafka, Producer, Transaction } from 'kafkajs';
import { UnavailableError } from '../../app/errors.js';
import type { Logger } from '../../app/ports.js';
import type { Appended } from '../../app/partition-ownership.js';
import { rememberTransactionCoordinators } from './transaction-coordinator.js';

/** One event to write: its key (the book id) and its JSON. */
export interface AppendMessage {
  key: string;
  value: string;
}

/** Another writer opened the same transactional id: this one may not write that partition any more. */
export class FencedError extends UnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('rebalancing', message, 1, options);
  }
}

/** The commit was sent but not confirmed: the events may be in the log. */
export class OutcomeUnknownError extends UnavailableError {
  constructor(
    message: string,
    readonly appended: Appended[],
    options?: { cause?: unknown },
  ) {
    super('broker_unavailable', message, 1, options);
  }
}

export type WriterFailure = 'fenced' | 'broken';

export interface PartitionWriterOptions {
  kafka: Kafka;
  logger: Logger;
  topic: string;
  partition: number;
  transactionalId: string;
  /** Told once when this writer cannot go on: fenced by another, or broken by an error it cannot clear. */
  onFailure: (kind: WriterFailure, error: Error) => void;
  ackTimeoutMs?: number;
  transactionTimeoutMs?: number;
  maxBatch?: number;
}

interface Pending {
  messages: AppendMessage[];
  resolve: (appended: Appended[]) => void;
  reject: (error: Error) => void;
}

// Kafka answers a writer whose epoch was bumped with one of these (PRODUCER_FENCED is 90, unknown to kafkajs by name).
const FENCING_TYPES = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'INVALID_PRODUCER_ID_MAPPING',
]);
const FENCING_CODES = new Set([47, 90, 53, 49]);

/**
 * Kafka writes a commit's markers for a millisecond or so after it answered; a transaction begun meanwhile is refused
 * (CONCURRENT_TRANSACTIONS) and retried after a metadata refresh. Waiting that long costs less, and more commands join.
 */
const SETTLE_MS = 1;

export function isFencing(error: unknown): boolean {
  for (
    let e = error as { type?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if ((typeof e.type === 'string' && FENCING_TYPES.has(e.type)) || (typeof e.code === 'number' && FENCING_CODES.has(e.code))) return true;
  }
  return false;
}

export function createPartitionWriter({
  kafka,
  logger,
  topic,
  partition,
  transactionalId,
  onFailure,
  ackTimeoutMs = 5000,
  transactionTimeoutMs = 60_000,
  maxBatch = 2000,
}: PartitionWriterOptions) {
  rememberTransactionCoordinators();
  const producer: Producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: transactionTimeoutMs,
    allowAutoTopicCreation: false,
    // The next transaction's first request meets CONCURRENT_TRANSACTIONS while the last one's markers are being
    // written, a few milliseconds: retry it soon and often (2, 3, 4.5 … ms). Bounded (about 1.5 s in all), so that
    // an unreachable broker becomes a 503.
    retry: { retries: 16, initialRetryTime: 2, multiplier: 1.5, maxRetryTime: 250 },
  });
  const queue: Pending[] = [];
  let sending: Promise<void> | null = null;
  let failed = false;
  let closed = false;
  let committedAt = -Infinity;

  function refuse(batch: Pending[], error: Error): void {
    for (const pending of batch) pending.reject(error);
  }

  function fail(kind: WriterFailure, error: Error): void {
    if (failed) return;
    failed = true;
    logger.warn(
      { partition, kind, err: error.message },
      kind === 'fenced' ? 'fenced by a newer writer of the partition' : 'partition writer broken',
    );
    refuse(queue.splice(0), new UnavailableError('rebalancing', `partition ${partition} is changing hands`, 1));
    onFailure(kind, error);
  }

  /** Up to `room` messages from the head of the queue (at least one command). */
  function take(room: number): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.messages.length <= room)) {
      const next = queue.shift()!;
      batch.push(next);
      size += next.messages.length;
    }
    return batch;
  }

  /** Sends the batch's messages in the open transaction; their offsets, per command. */
  async function sendPart(transaction: Transaction, part: Pending[]): Promise<Appended[][]> {
    const messages = part.flatMap((pending) => pending.messages.map((message) => ({ ...message, partition })));
    const [result] = await transaction.send({ topic, acks: -1, timeout: ackTimeoutMs, messages });
    if (!result) throw new Error('Kafka answered the send without an offset');
    let offset = Number(result.baseOffset);
    return part.map((pending) => pending.messages.map(() => ({ partition, offset: offset++ })));
  }

  async function commitBatch(batch: Pending[]): Promise<void> {
    let transaction: Transaction | undefined;
    const appended: Appended[][] = [];
    try {
      transaction = await producer.transaction();
      appended.push(...(await sendPart(transaction, batch)));
      // Commands that came while it was sent join this transaction with one more send: they spare waiting for its
      // commit, its markers and the next transaction's AddPartitionsToTxn. One at most, so the first ones wait one send more.
      const size = batch.reduce((sum, pending) => sum + pending.messages.length, 0);
      if (queue.length > 0 && !failed && size < maxBatch) {
        const late = take(maxBatch - size);
        batch.push(...late);
        appended.push(...(await sendPart(transaction, late)));
      }
    } catch (error) {
      const fenced = isFencing(error);
      // Never committed, so never visible to a read_committed reader: the refusal is true.
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      refuse(
        batch,
        fenced
          ? new FencedError(`partition ${partition} has a newer writer`, { cause: error })
          : new UnavailableError('broker_unavailable', `Kafka did not take the events: ${(error as Error).message}`, 1, { cause: error }),
      );
      return fail(fenced ? 'fenced' : 'broken', error as Error);
    }
    try {
      await transaction.commit();
    } catch (error) {
      // An error answered by the coordinator means it did not commit; only a commit left unanswered may have happened.
      if (isFencing(error) || (error as { name?: string }).name === 'KafkaJSProtocolError') {
        refuse(batch, new FencedError(`partition ${partition}: Kafka refused the commit (${(error as Error).message})`, { cause: error }));
        return fail(isFencing(error) ? 'fenced' : 'broken', error as Error);
      }
      batch.forEach((pending, i) =>
        pending.reject(
          new OutcomeUnknownError(`Kafka did not confirm the commit: ${(error as Error).message}`, appended[i]!, { cause: error }),
        ),
      );
      return fail('broken', error as Error);
    }
    batch.forEach((pending, i) => pending.resolve(appended[i]!));
  }

  async function drain(): Promise<void> {
    while (queue.length > 0 && !failed) {
      const settle = committedAt + SETTLE_MS - performance.now();
      if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
      // Closed or fenced during the pause: what waited was refused.
      if (queue.length === 0) break;
      await commitBatch(take(maxBatch));
      committedAt = performance.now();
    }
    sending = null;
  }

  return {
    partition,
    /** Connects and takes the transactional id over: any earlier writer with it is fenced from now on. */
    async open(): Promise<void> {
      await producer.connect();
      // The producer id is claimed (and the epoch bumped) by the first transaction; an empty one ends without a request.
      const transaction = await producer.transaction();
      await transaction.abort();
      logger.info({ partition, transactionalId }, 'partition writer open');
    },
    /** Resolves once the events are committed, with their offsets; messages of one call stay together. */
    append(messages: AppendMessage[]): Promise<Appended[]> {
      if (failed || closed) return Promise.reject(new UnavailableError('rebalancing', `partition ${partition} is changing hands`, 1));
      return new Promise((resolve, reject) => {
        queue.push({ messages, resolve, reject });
        sending ??= drain();
      });
    },
    /** Takes nothing more; lets the transaction under way finish (committed or refused), refuses what waits, disconnects. */
    async close(): Promise<void> {
      closed = true;
      refuse(queue.splice(0), new UnavailableError('rebalancing', `partition ${partition} is changing hands`, 1));
      await sending;
      await producer.disconnect().catch(() => undefined);
    },
  };
}

export type PartitionWriter = ReturnType<typeof createPartitionWriter>;
