/** What the main thread and the fetch worker say to each other. */
import type { KafkaState, PartitionEnds } from '../../app/ports.js';
import type { KafkaOptions } from './kafka-client.js';
import type { PackedBatch } from './packed-batch.js';

export interface FetchWorkerData {
  connection: Omit<KafkaOptions, 'logger'>;
  topic: string;
  /** A group name, or a prefix the worker adds a new suffix to for each reconnection. */
  groupId: string | { prefix: string };
  maxWaitTimeInMs: number;
  minBytes: number;
  maxBytesPerPartition: number;
  /** Batches handed over and not yet applied, at most. */
  maxUnapplied: number;
  /** The offset to read from per partition: where the view got when the worker was spawned. */
  readFrom: [number, number][];
}

export type FromWorker =
  | { t: 'batch'; batch: PackedBatch }
  | { t: 'pass'; partition: number; offset: number }
  | { t: 'ends'; ends: PartitionEnds[] }
  | { t: 'state'; state: KafkaState; error?: string }
  | { t: 'fetched' }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; bindings: object; fields: object; msg: string }
  | { t: 'stopped' };

export type ToWorker = { t: 'applied' } | { t: 'stop' };
