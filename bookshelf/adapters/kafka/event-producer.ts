/**
 * Appends events to the topic with acks from every in-sync replica and an idempotent producer.
 * Appends that arrive while a send is under way go together in the next one: one request per
 * partition leader (the broker a partition's writes go to), many commands, and each caller still
 * learns the offsets of its own events.
 *
 * A send that fails may still have been written: the leader can append and replicate a batch, then
 * die before it answers. So a failed send is sent again on the same producer, whose producer id and
 * sequence numbers make Kafka append it at most once and answer with its offset, until Kafka
 * answers or `unconfirmedRetryMs` (longer than a leader election) has passed. Only then are its
 * callers refused.
 */
import { Partitioners, type Kafka, type PartitionMetadata, type Producer } from 'kafkajs';
import { UnavailableError } from '../../app/errors.js';
import type { Logger } from '../../app/ports.js';

export interface AppendMessage {
  key: string;
  value: string;
}

export interface Appended {
  partition: number;
  offset: number;
}

interface Pending {
  messages: AppendMessage[];
  resolve: (appended: Appended[]) => void;
  reject: (error: Error) => void;
}

export interface EventProducerOptions {
  kafka: Kafka;
  logger: Logger;
  topic: string;
  /** How long one send may wait for the broker's acknowledgement. */
  ackTimeoutMs?: number;
  /** How long a send that may have been written is sent again before giving up (longer than a leader election). */
  unconfirmedRetryMs?: number;
  maxBatch?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createEventProducer({
  kafka,
  logger,
  topic,
  ackTimeoutMs = 5000,
  unconfirmedRetryMs = 20_000,
  maxBatch = 2000,
}: EventProducerOptions) {
  let producer: Producer | null = null;
  let stopped = false;
  let partitionCount = 0;
  /** The partitions as the partitioner needs them, with their leaders, from the last metadata. */
  let partitionMetadata: PartitionMetadata[] = [];
  const partitioner = Partitioners.DefaultPartitioner();
  const queue: Pending[] = [];
  let sending = false;

  async function connect(): Promise<Producer> {
    if (producer && partitionCount > 0) return producer;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      partitionMetadata = topics[0]?.partitions ?? [];
      partitionCount = partitionMetadata.length;
    } finally {
      await admin.disconnect();
    }
    if (partitionCount === 0) throw new Error(`topic ${topic} has no partitions`);
    const created = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Bounded, so that an unreachable broker becomes a 503 rather than a request that never ends.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    await created.connect();
    producer = created;
    return created;
  }

  const partitionOf = (key: string): number => partitioner({ topic, partitionMetadata, message: { key, value: null } });
  const leaderOf = (partition: number): number => partitionMetadata.find((p) => p.partitionId === partition)?.leader ?? -1;

  /**
   * Sends the messages of one leader's partitions in one request, again and again until Kafka answers;
   * resolves with the offset of the first message of each partition.
   */
  async function sendToLeader(ready: Producer, messages: (AppendMessage & { partition: number })[]): Promise<Map<number, number>> {
    const deadline = Date.now() + unconfirmedRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const results = await ready.send({ topic, acks: -1, timeout: ackTimeoutMs, messages });
        return new Map(results.map((result) => [result.partition, Number(result.baseOffset)]));
      } catch (error) {
        if (stopped || Date.now() > deadline) throw error;
        logger.warn(
          { err: (error as Error).message, partitions: [...new Set(messages.map((m) => m.partition))], attempt },
          'append not confirmed, sending it again',
        );
        await sleep(Math.min(2000, 250 * 2 ** attempt));
      }
    }
  }

  async function sendBatch(batch: Pending[]): Promise<void> {
    let ready: Producer;
    try {
      ready = await connect();
    } catch (error) {
      return fail(batch, error as Error);
    }
    const byLeader = new Map<number, (AppendMessage & { partition: number })[]>();
    const partitionsOf = batch.map((pending) =>
      pending.messages.map((message) => {
        const partition = partitionOf(message.key);
        const leader = leaderOf(partition);
        const messages = byLeader.get(leader);
        if (messages) messages.push({ ...message, partition });
        else byLeader.set(leader, [{ ...message, partition }]);
        return partition;
      }),
    );
    const groups = [...byLeader.values()];
    const sent = await Promise.allSettled(groups.map((messages) => sendToLeader(ready, messages)));
    const next = new Map<number, number>();
    const failed = new Map<number, Error>();
    groups.forEach((messages, i) => {
      const outcome = sent[i]!;
      if (outcome.status === 'fulfilled') for (const [partition, offset] of outcome.value) next.set(partition, offset);
      else for (const { partition } of messages) failed.set(partition, outcome.reason as Error);
    });
    const refused: Pending[] = [];
    batch.forEach((pending, i) => {
      const partitions = partitionsOf[i]!;
      if (partitions.some((partition) => failed.has(partition))) return void refused.push(pending);
      pending.resolve(
        partitions.map((partition) => {
          const offset = next.get(partition)!;
          next.set(partition, offset + 1);
          return { partition, offset };
        }),
      );
    });
    if (failed.size > 0) {
      fail(refused, failed.values().next().value!);
      // Metadata may have changed (new partitions, a new leader), and a producer whose send was not
      // confirmed must not reuse its sequence numbers: start afresh next time.
      const dropped = producer;
      producer = null;
      partitionCount = 0;
      void dropped?.disconnect().catch(() => undefined);
    }
  }

  function fail(batch: Pending[], error: Error): void {
    logger.warn({ err: error.message, commands: batch.length }, 'append failed');
    const failure = new UnavailableError('broker_unavailable', `Kafka did not acknowledge the event: ${error.message}`, 1, {
      cause: error,
    });
    for (const pending of batch) pending.reject(failure);
  }

  async function drain(): Promise<void> {
    if (sending) return;
    sending = true;
    try {
      while (queue.length > 0) {
        const batch: Pending[] = [];
        let size = 0;
        while (queue.length > 0 && size < maxBatch) {
          const next = queue.shift()!;
          batch.push(next);
          size += next.messages.length;
        }
        await sendBatch(batch);
      }
    } finally {
      sending = false;
    }
  }

  return {
    /** Resolves once Kafka acknowledged every message, with their partitions and offsets; messages of one call stay together. */
    append(messages: AppendMessage[]): Promise<Appended[]> {
      return new Promise((resolve, reject) => {
        queue.push({ messages, resolve, reject });
        void drain();
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      const current = producer;
      producer = null;
      await current?.disconnect().catch(() => undefined);
    },
  };
}

export type EventProducer = ReturnType<typeof createEventProducer>;
