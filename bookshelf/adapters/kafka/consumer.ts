/**
 * Reads a whole topic from the beginning into a sink, every partition, and keeps reading.
 * It never gives up on Kafka: unreachable at start or lost later, it retries with backoff.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { KafkaLiveness, LogRecord, LogSink, Logger } from '../../app/ports.js';
import { retry } from '../../app/retry.js';

export interface ConsumerOptions {
  kafka: Kafka;
  logger: Logger;
  topic: string;
  /**
   * A group of its own, so that this consumer gets every partition. A function gives a new group
   * for every reconnection: nothing is committed, and a new group need not wait for the old member's session to end.
   */
  groupId: string | (() => string);
  sink: LogSink;
  /** Told whether Kafka answers: connecting, running (each fetch) or down. */
  liveness: KafkaLiveness;
  /** How long the broker holds a fetch that finds nothing new; `QUIET_FETCH_WAIT_MS` by default. */
  maxWaitTimeInMs?: number;
  /** The broker answers a fetch once it has this many bytes, or after `maxWaitTimeInMs`. */
  minBytes?: number;
  /** Bytes a fetch may bring per partition; the fetch worker asks for more, since it copies them once. */
  maxBytesPerPartition?: number;
  /** Takes each batch as kafkajs decoded it, in place of records handed to `sink.applyBatch`: the fetch worker packs them. */
  deliver?: (partition: number, messages: readonly KafkaMessage[], highWatermark: string) => Promise<void>;
}

/** Records decoded and applied together. */
const SLICE = 256;

/**
 * How long the broker holds a fetch that finds nothing new, by default. A stop waits for the fetch under way (kafkajs
 * ends it before leaving the group), so this bounds how long a quiet consumer takes to stop.
 */
export const QUIET_FETCH_WAIT_MS = 250;

export function createConsumer(options: ConsumerOptions) {
  const {
    kafka,
    logger,
    topic,
    groupId,
    sink,
    liveness,
    maxWaitTimeInMs = QUIET_FETCH_WAIT_MS,
    minBytes = 1,
    maxBytesPerPartition = 512 * 1024,
  } = options;
  let consumer: Consumer | null = null;
  let stopped = false;
  /** Aborted by the stop: ends a pause between two attempts to connect. */
  const stopping = new AbortController();
  let running: Promise<void> | null = null;

  /** Hands a batch over in slices: the text of a message is garbage before the next slice is decoded. */
  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { messages, partition } = batch;
    if (options.deliver) {
      if (messages.length > 0) await options.deliver(partition, messages, batch.highWatermark);
      await payload.heartbeat();
      return;
    }
    for (let start = 0; start < messages.length; start += SLICE) {
      for (let busy = sink.ready?.(); busy; busy = sink.ready?.()) await busy;
      const end = Math.min(messages.length, start + SLICE);
      const records = new Array<LogRecord>(end - start);
      for (let i = start; i < end; i++) {
        const message = messages[i]!;
        records[i - start] = {
          partition,
          offset: message.offset,
          value: message.value === null ? null : message.value.toString('utf8'),
          timestamp: message.timestamp,
        };
      }
      sink.applyBatch(partition, records, end === messages.length ? batch.highWatermark : undefined);
    }
    await payload.heartbeat();
  }

  async function fetchEnds(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      sink.setStartEnds(offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })));
    } finally {
      await admin.disconnect();
    }
  }

  function createKafkaConsumer(group: string): Consumer {
    const created = kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs,
      minBytes,
      maxBytesPerPartition,
      maxBytes: 3 * maxBytesPerPartition,
      sessionTimeout: 30_000,
      // A crash is handled below, by reconnecting in a new group, rather than by kafkajs rejoining the old one.
      retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5, restartOnFailure: () => Promise.resolve(false) },
    });
    created.on(created.events.FETCH, () => liveness.markFetched());
    // kafkajs hands a batch of only transaction markers or aborted records to no handler; its end still moves the position.
    created.on(created.events.END_BATCH_PROCESS, ({ payload }) => sink.passOffsets(payload.partition, Number(payload.lastOffset) + 1));
    created.on(created.events.GROUP_JOIN, ({ payload }) => {
      // A rejoin after a failure starts again from where this consumer got, not from the beginning.
      for (const partition of payload.memberAssignment[topic] ?? []) {
        const offset = sink.readFrom().get(partition);
        if (offset !== undefined) created.seek({ topic, partition, offset: String(offset) });
      }
    });
    created.on(created.events.CRASH, ({ payload }) => {
      const message = payload.error?.message ?? String(payload.error);
      liveness.setState('down', message);
      logger.warn({ err: message, restart: payload.restart }, 'consumer crashed');
      if (!stopped) void restart();
    });
    return created;
  }

  async function connect(): Promise<void> {
    // Any failure, even one kafkajs calls final (a wrong password), is tried again: it may be mended while health says why.
    await retry(
      async () => {
        await fetchEnds();
        const group = typeof groupId === 'string' ? groupId : groupId();
        const created = createKafkaConsumer(group);
        consumer = created;
        await created.connect();
        await created.subscribe({ topics: [topic], fromBeginning: true });
        const from = Object.fromEntries(sink.readFrom());
        await created.run({ autoCommit: false, partitionsConsumedConcurrently: 4, eachBatch });
        liveness.setState('running');
        logger.info({ topic, groupId: group, from }, 'consuming');
      },
      {
        initialMs: 250,
        maxMs: 5000,
        jitter: 0.2,
        retryOn: 'any',
        signal: stopping.signal,
        async onRetry(error, attempt) {
          const message = (error as Error).message;
          liveness.setState('down', message);
          logger.warn({ err: message, attempt }, 'Kafka not reachable, retrying');
          await disconnectQuietly();
        },
      },
    ).catch(() => undefined); // only a stop ends the attempts, and then there is nothing left to do
  }

  async function disconnectQuietly(): Promise<void> {
    const current = consumer;
    consumer = null;
    if (current) await current.disconnect().catch(() => undefined);
  }

  async function restart(): Promise<void> {
    await disconnectQuietly();
    if (!stopped) running = connect();
  }

  return {
    /** Starts reading in the background; never throws. */
    start(): void {
      liveness.setState('connecting');
      running = connect();
    },
    /** Leaves the group and disconnects. */
    async stop(): Promise<void> {
      stopped = true;
      stopping.abort();
      await running?.catch(() => undefined);
      await disconnectQuietly();
    },
  };
}
