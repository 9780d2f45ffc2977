/** What a snapshot gives back to the projection runner, and what it says about where it came from. */
import type { EventIdSet } from './event-id-set.js';
import type { LogRecord } from './ports.js';

export interface SnapshotSource {
  from: 'snapshot' | 'log';
  /** A file of this instance's state dir, or a peer's. */
  origin?: 'local' | 'peer';
  file?: string;
  peer?: string;
  /** When the snapshot was written. */
  createdAt?: string;
  /** The position it holds, as a read-your-writes token. */
  position?: string;
}

/** The last record read in a partition: its offset, and the rest as read (fingerprinted for a snapshot). */
export type LastRecord = Omit<LogRecord, 'offset'> & { offset: number };

export interface RestoredState<V> {
  view: V;
  ids: EventIdSet;
  /** Next offset to read per partition. */
  next: ReadonlyMap<number, number>;
  source: SnapshotSource;
  /** The last record the snapshot read in each partition: the same record must be there again, or the topic is another one. */
  verify: {
    records: Map<number, { offset: number; fingerprint: string }>;
    fingerprint(record: LogRecord): string;
    onMismatch(partition: number): void;
  };
}
