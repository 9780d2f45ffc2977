/**
 * The consumer, run in the fetch worker: the main thread only turns packed batches into records and hands them
 * to the sink, in order, while the worker fetches and decodes the next ones. Same options and behaviour as
 * `createConsumer`, which it is when asked to read in this thread, or where the worker's compiled script is not there
 * (code run from source). `start()` spawns the worker, which connects and then reads from `sink.readFrom()`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Kafka } from 'kafkajs';
import type { KafkaLiveness, LogSink, Logger } from '../../app/ports.js';
import { createConsumer, QUIET_FETCH_WAIT_MS } from './consumer.js';
import type { FetchWorkerData, FromWorker, ToWorker } from './fetch-worker-messages.js';
import type { KafkaOptions } from './kafka-client.js';
import { unpackBatch, type PackedBatch } from './packed-batch.js';

export interface WorkerConsumerOptions {
  /** The main thread's client, for the consumer run in this thread when there is no worker script. */
  kafka: Kafka;
  /** How the worker connects a client of its own. */
  connection: Omit<KafkaOptions, 'logger'>;
  logger: Logger;
  topic: string;
  /** A group name, or a prefix to which each reconnection adds a new suffix (a group of its own). */
  groupId: string | { prefix: string };
  sink: LogSink;
  liveness: KafkaLiveness;
  maxWaitTimeInMs?: number;
  minBytes?: number;
  /** The worker's compiled script; by default the one next to this module. */
  workerUrl?: URL;
  /** Read in this thread, as `createConsumer` does, rather than in a worker. */
  inThread?: boolean;
}

/** Records handed to the sink together. */
const SLICE = 256;
/**
 * Applying runs this long at most before the event loop lets requests in (health checks, reads): batches come from
 * the worker faster than they are applied, so without a pause a replay would hold every request until its end.
 */
const TURN_MS = 10;
/**
 * The worker's garbage is kafkajs's decoding: a nursery of this size lets most of it die young. Its room stays taken
 * once the log is read, so it is kept small: 96 MiB cost list-books 60 bytes a book at a million books.
 */
const WORKER_YOUNG_MB = 32;
const assertNever = (value: never): never => {
  throw new Error(`unknown message from the fetch worker: ${JSON.stringify(value)}`);
};
const defaultWorkerUrl = new URL('./fetch-worker.js', import.meta.url);

export function createWorkerConsumer(options: WorkerConsumerOptions) {
  const { logger, sink, liveness, groupId, workerUrl = defaultWorkerUrl, inThread = false } = options;
  if (inThread || !existsSync(fileURLToPath(workerUrl))) {
    const consumer = createConsumer({
      ...options,
      groupId: typeof groupId === 'string' ? groupId : () => `${groupId.prefix}-${randomUUID().slice(0, 8)}`,
    });
    return consumer;
  }
  let worker: Worker | undefined;
  let begun = false;
  let stopped = false;
  const queue: { from: Worker; message: FromWorker }[] = [];
  let draining = false;

  function spawn(): void {
    const workerData: FetchWorkerData = {
      connection: options.connection,
      topic: options.topic,
      groupId,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? QUIET_FETCH_WAIT_MS,
      minBytes: options.minBytes ?? 1,
      maxBytesPerPartition: 1024 * 1024,
      maxUnapplied: 3,
      // Where the view got, read as each worker is spawned: a new one reads on from there.
      readFrom: [...sink.readFrom()],
    };
    const started = new Worker(workerUrl, { workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
    worker = started;
    started.on('message', (message: FromWorker) => take(started, message));
    started.on('error', (error) => logger.error({ err: error.message }, 'fetch worker failed'));
    started.on('exit', (code) => {
      if (stopped || worker !== started) return;
      worker = undefined;
      liveness.setState('down', `fetch worker exited with code ${code}`);
      // A new worker reads on from where the view got; what the old one handed over is applied first.
      setTimeout(() => stopped || worker || spawn(), 1000).unref();
    });
  }

  function take(from: Worker, message: FromWorker): void {
    switch (message.t) {
      case 'fetched':
        return liveness.markFetched();
      case 'state':
        return liveness.setState(message.state, message.error);
      case 'log':
        return logger.child(message.bindings)[message.level](message.fields, message.msg);
      case 'stopped':
        void from.terminate();
        return;
      case 'batch':
      case 'pass':
      case 'ends':
        queue.push({ from, message });
        void drain();
        return;
      default:
        return assertNever(message);
    }
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0 && !stopped) {
        const { from, message } = queue.shift()!;
        if (message.t === 'batch') {
          await apply(message.batch);
          from.postMessage({ t: 'applied' } satisfies ToWorker);
        } else if (message.t === 'pass') sink.passOffsets(message.partition, message.offset);
        else if (message.t === 'ends') sink.setStartEnds(message.ends);
      }
    } finally {
      draining = false;
    }
  }

  /** In slices, waiting while the sink is busy (a snapshot being written) as the consumer does. */
  let turnStarted = performance.now();
  async function apply(batch: PackedBatch): Promise<void> {
    const packed = unpackBatch(batch);
    for (let start = 0; start < packed.count; start += SLICE) {
      if (performance.now() - turnStarted > TURN_MS) {
        await nextTurn();
        turnStarted = performance.now();
      }
      for (let busy = sink.ready?.(); busy; busy = sink.ready?.()) await busy;
      if (stopped) return;
      const end = Math.min(packed.count, start + SLICE);
      sink.applyBatch(batch.partition, packed.records(start, end), end === packed.count ? batch.highWatermark : undefined);
    }
  }

  return {
    /** Starts reading from `sink.readFrom()` in the background, in the worker it spawns; never throws. */
    start(): void {
      if (begun || stopped) return;
      begun = true;
      liveness.setState('connecting');
      spawn();
    },
    /** Leaves the group, disconnects and ends the worker. */
    async stop(): Promise<void> {
      stopped = true;
      const current = worker;
      if (!current) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.postMessage({ t: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => void current.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
