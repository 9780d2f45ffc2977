/**
 * The fetch worker: runs the Kafka consumer on a thread of its own, so that fetching and decoding record batches
 * (and the garbage kafkajs makes doing it) leave the main thread to apply the previous batch.
 * Each batch goes to the main thread packed in one buffer; at most a few wait there unapplied.
 * It reads from where the main thread had got when it spawned the worker.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { KafkaState, LogSink, Logger, PartitionEnds } from '../../app/ports.js';
import { createConsumer } from './consumer.js';
import { createKafka } from './kafka-client.js';
import { packBatch } from './packed-batch.js';
import type { FetchWorkerData, ToWorker, FromWorker } from './fetch-worker-messages.js';

const port = parentPort!;
const data = workerData as FetchWorkerData;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

function jsonOf(fields: object): object {
  try {
    return JSON.parse(JSON.stringify(fields)) as object;
  } catch {
    return {};
  }
}

function remoteLogger(bindings: object): Logger {
  const send = (level: 'debug' | 'info' | 'warn' | 'error') => (fields: object, msg: string) => {
    try {
      post({ t: 'log', level, bindings, fields, msg });
    } catch {
      // Fields that cannot be cloned (kafkajs passes what it has) go as their JSON, or not at all.
      post({ t: 'log', level, bindings, fields: jsonOf(fields), msg });
    }
  };
  return {
    debug: send('debug'),
    info: send('info'),
    warn: send('warn'),
    error: send('error'),
    child: (more: object) => remoteLogger({ ...bindings, ...more }),
  };
}

/** Where this worker got per partition: the start the main thread gave, moved on by what it delivered. */
const next = new Map<number, number>(data.readFrom);
const moveTo = (partition: number, offset: number) => {
  if (offset > (next.get(partition) ?? -1)) next.set(partition, offset);
};

let unapplied = 0;
const waiting: (() => void)[] = [];

const sink: LogSink = {
  applyBatch: () => {
    throw new Error('the fetch worker delivers packed batches');
  },
  passOffsets(partition: number, offset: number): void {
    moveTo(partition, offset);
    post({ t: 'pass', partition, offset });
  },
  setStartEnds(ends: readonly PartitionEnds[]): void {
    post({ t: 'ends', ends: [...ends] });
  },
  readFrom: () => next,
};

const logger = remoteLogger({});
const group = data.groupId;
const consumer = createConsumer({
  kafka: createKafka({ ...data.connection, logger: logger.child({ module: 'kafka' }) }),
  logger,
  topic: data.topic,
  groupId: typeof group === 'string' ? group : () => `${group.prefix}-${randomUUID().slice(0, 8)}`,
  sink,
  liveness: {
    setState: (state: KafkaState, error?: string) => post({ t: 'state', state, ...(error !== undefined && { error }) }),
    markFetched: () => post({ t: 'fetched' }),
  },
  maxWaitTimeInMs: data.maxWaitTimeInMs,
  minBytes: data.minBytes,
  maxBytesPerPartition: data.maxBytesPerPartition,
  async deliver(partition, messages, highWatermark): Promise<void> {
    while (unapplied >= data.maxUnapplied) await new Promise<void>((resolve) => waiting.push(resolve));
    const packed = packBatch(partition, messages, highWatermark);
    moveTo(partition, Number(messages[messages.length - 1]!.offset) + 1);
    unapplied++;
    post({ t: 'batch', batch: packed }, [packed.buffer]);
  },
});

port.on('message', (message: ToWorker) => {
  if (message.t === 'applied') {
    unapplied--;
    waiting.shift()?.();
  } else {
    // Nothing more is applied once the main thread asked to stop: let a waiting batch end.
    unapplied = -Infinity;
    for (const resolve of waiting.splice(0)) resolve();
    void consumer.stop().finally(() => post({ t: 'stopped' }));
  }
});
consumer.start();
