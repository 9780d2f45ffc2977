/**
 * How far a projection has read the log, per partition: the next offset to apply, where the partition ends as Kafka
 * last said, the ends seen at start, and the last record read (which a snapshot names).
 */
import type { PartitionProgress } from './health.js';
import { formatPosition, hasReached, type LogPosition } from './log-position.js';
import type { LogRecord, PartitionEnds } from './ports.js';
import type { LastRecord } from './snapshot-state.js';

export function createLogProgress(topic: string) {
  const next = new Map<number, number>();
  const high = new Map<number, number>();
  const last = new Map<number, LastRecord>();
  let startEnds: Map<number, PartitionEnds> | null = null;
  /** The applied position as a token, made again only after it moved. */
  let token: string | null = null;

  return {
    /** The next offset to read per partition. */
    next: (): ReadonlyMap<number, number> => next,
    nextOf: (partition: number): number | undefined => next.get(partition),

    moveTo(partition: number, nextOffset: number): void {
      if (next.get(partition) === nextOffset) return;
      next.set(partition, nextOffset);
      token = null;
    },

    /** Keeps the newest record read in the partition. */
    remember(partition: number, record: LogRecord): void {
      if (Number(record.offset) >= (last.get(partition)?.offset ?? -1)) last.set(partition, { ...record, offset: Number(record.offset) });
    },
    lastRecords: (): Map<number, LastRecord> => new Map(last),

    /** The partition's end as a fetch reported it. */
    setEnd(partition: number, end: number): void {
      high.set(partition, end);
    },

    /** Ends Kafka was asked for: they only ever move forward. */
    raiseEnds(ends: readonly PartitionEnds[]): void {
      for (const end of ends) if ((high.get(end.partition) ?? -1) < end.high) high.set(end.partition, end.high);
    },

    /** The end offsets seen at start; false when they were already known. */
    setStartEnds(ends: readonly PartitionEnds[]): boolean {
      if (startEnds !== null) return false;
      startEnds = new Map(ends.map((end) => [end.partition, end]));
      for (const end of ends) if (!high.has(end.partition)) high.set(end.partition, end.high);
      return true;
    },

    /** Whether every partition is read to where it ended at start (false before that is known). */
    readToStartEnds(): boolean {
      if (startEnds === null) return false;
      for (const { partition, low, high: end } of startEnds.values()) if ((next.get(partition) ?? low) < end) return false;
      return true;
    },

    /** The last applied offset per partition, as a read-your-writes token. */
    appliedPosition: (): string => (token ??= formatPosition(new Map([...next].map(([partition, offset]) => [partition, offset - 1])))),

    reached: (position: LogPosition): boolean => hasReached(next, position),

    /** The wanted offsets at or past the end of their partition as last reported (a partition not in the topic has none). */
    pastEnds(wanted: LogPosition): string[] {
      if (startEnds === null) return [];
      const past: string[] = [];
      for (const [partition, offset] of wanted) {
        if ((next.get(partition) ?? 0) > offset) continue;
        const end = high.get(partition);
        if (end === undefined) past.push(`partition ${partition} is not in topic ${topic}`);
        else if (offset >= end) past.push(`partition ${partition} ends before offset ${end}`);
      }
      return past;
    },

    /** What is applied and how far behind the end, per partition and in all. */
    report(): { lag: number; partitions: Record<string, PartitionProgress> } {
      const partitions: Record<string, PartitionProgress> = {};
      let lag = 0;
      for (const [partition, end] of high) {
        const applied = next.get(partition);
        const behind = Math.max(0, end - (applied ?? startEnds?.get(partition)?.low ?? 0));
        partitions[partition] = { applied: applied === undefined ? null : applied - 1, end, lag: behind };
        lag += behind;
      }
      return { lag, partitions };
    },

    /** Back to nothing read; the ends Kafka reported stay. */
    clear(): void {
      next.clear();
      last.clear();
      startEnds = null;
      token = null;
    },
  };
}

export type LogProgress = ReturnType<typeof createLogProgress>;
