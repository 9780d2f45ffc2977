/** What the snapshot logic needs of a place that keeps snapshot files. */
import type { Readable } from 'node:stream';

export const SNAPSHOT_FORMAT_VERSION = 3;

export interface SnapshotHeader {
  format: 'bookshelf-snapshot';
  formatVersion: number;
  projection: string;
  projectionVersion: number;
  topic: string;
  partitions: number;
  /** Next offset to read per partition: what was applied, control records included. */
  next: Record<string, number>;
  /** The last record read per partition, fingerprinted: the same record must be found there again. */
  last: Record<string, { offset: number; fingerprint: string }>;
  createdAt: string;
  /** Events applied by the process that wrote it, since its start (for the log). */
  events: number;
  /** How many event ids it holds: the table for them is made that big at once. */
  ids?: number;
}

export type RejectReason = 'corrupt' | 'format' | 'projection' | 'topic' | 'partitions' | 'offsets' | 'topic_changed' | 'transfer';

/** A snapshot that must not be used, and why. */
export class SnapshotRejected extends Error {
  /** Only a transfer cut short may go better another time (from another peer); a snapshot that is wrong stays wrong. */
  readonly retriable: boolean;

  constructor(
    readonly reason: RejectReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.retriable = reason === 'transfer';
  }
}

/** What a read hands over, in the file's order: the header first, then each chunk of the projection. */
export interface SnapshotHandlers {
  header(header: SnapshotHeader): void;
  chunk(chunk: unknown): void;
}

export interface SnapshotStore {
  readonly dir: string;
  /** Snapshot file names, newest first. */
  list(): Promise<string[]>;
  path(name: string): string;
  /** Writes a new snapshot (header, then each line of `lines`) and keeps only the newest few; resolves with its name. */
  write(header: SnapshotHeader, lines: AsyncIterable<string>): Promise<string>;
  /** Reads a snapshot, handing over its header then each chunk; throws SnapshotRejected when it is not whole and right. */
  read(name: string, handlers: SnapshotHandlers): Promise<void>;
  /** Renames a bad snapshot to `<name>.rejected`. */
  setAside(name: string): Promise<void>;
  /**
   * Reads a snapshot from a peer as it arrives, as `read` does, and keeps it under a new name once whole and right.
   * Resolves as soon as it is whole and right, with that name and `saved`, which settles once the file is on disk
   * under it (fsynced and renamed into place). A transfer cut short throws SnapshotRejected('transfer'), and nothing
   * is kept.
   */
  receive(body: Readable, handlers: SnapshotHandlers): Promise<{ name: string; saved: Promise<void> }>;
  /** Deletes what a write cut short left behind. */
  removeTemporary(): Promise<void>;
}
