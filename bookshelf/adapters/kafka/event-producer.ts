/**
 * Appends events to the topic with acks from every in-sync replica and an idempotent producer.
 * Appends that arrive while a send is under way go together in the next one: one request,
 * many commands, and each caller still learns the offsets of its own events.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
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
  maxBatch?: number;
}

export function createEventProducer({ kafka, logger, topic, ackTimeoutMs = 5000, maxBatch = 2000 }: EventProducerOptions) {
  let producer: Producer | null = null;
  let partitionCount = 0;
  const partitioner = Partitioners.DefaultPartitioner();
  const queue: Pending[] = [];
  let sending = false;

  async function connect(): Promise<Producer> {
    if (producer && partitionCount > 0) return producer;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      partitionCount = topics[0]?.partitions.length ?? 0;
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

  const partitionOf = (key: string): number =>
    partitioner({
      topic,
      partitionMetadata: Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [], isr: [], partitionErrorCode: 0 })),
      message: { key, value: null },
    });

  async function sendBatch(batch: Pending[]): Promise<void> {
    try {
      const ready = await connect();
      const messages = batch.flatMap((pending) => pending.messages.map((message) => ({ ...message, partition: partitionOf(message.key) })));
      const results = await ready.send({ topic, acks: -1, timeout: ackTimeoutMs, messages });
      const next = new Map(results.map((result) => [result.partition, Number(result.baseOffset)]));
      for (const pending of batch) {
        pending.resolve(
          pending.messages.map((message) => {
            const partition = partitionOf(message.key);
            const offset = next.get(partition) ?? -1;
            next.set(partition, offset + 1);
            return { partition, offset };
          }),
        );
      }
    } catch (error) {
      logger.warn({ err: (error as Error).message, commands: batch.length }, 'append failed');
      // Metadata may have changed (new partitions, a new leader): look it up again next time.
      partitionCount = 0;
      const failure = new UnavailableError('broker_unavailable', `Kafka did not acknowledge the event: ${(error as Error).message}`, 1, { cause: error });
      for (const pending of batch) pending.reject(failure);
    }
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
      const current = producer;
      producer = null;
      await current?.disconnect().catch(() => undefined);
    },
  };
}

export type EventProducer = ReturnType<typeof createEventProducer>;
