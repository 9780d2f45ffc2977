/**
 * Two helpers of the projection runner for snapshots: the check of a restored snapshot against the records it
 * read last, and the hold that keeps the view still while a snapshot of it is written.
 */
import type { LogRecord } from './ports.js';
import type { RestoredState } from './snapshot-state.js';

type Verify = RestoredState<unknown>['verify'];

/** The last record a restored snapshot read in each partition, read again and compared before anything else is applied. */
export function createRestoreCheck() {
  let verify: Verify | null = null;
  return {
    set(next: Verify): void {
      verify = next.records.size > 0 ? next : null;
    },
    clear(): void {
      verify = null;
    },
    pending: (): boolean => verify !== null,
    waitsFor: (partition: number): boolean => verify?.records.has(partition) ?? false,

    /** False when the batch must not be applied: the topic no longer holds the record the snapshot read last. */
    passes(partition: number, records: readonly LogRecord[]): boolean {
      const expected = verify?.records.get(partition);
      if (!verify || !expected || records.length === 0) return true;
      const match = records.find((record) => Number(record.offset) === expected.offset);
      // Records before it: the one to compare is still to come (and these are below the restored offsets anyway).
      if (match === undefined && Number(records[records.length - 1]!.offset) < expected.offset) return true;
      if (match === undefined || verify.fingerprint(match) !== expected.fingerprint) {
        const onMismatch = verify.onMismatch;
        verify = null;
        onMismatch(partition);
        return false;
      }
      verify.records.delete(partition);
      if (verify.records.size === 0) verify = null;
      return true;
    },

    /** Where the consumer starts: the next offsets, except where a record is still to be compared. */
    readFrom(next: ReadonlyMap<number, number>): ReadonlyMap<number, number> {
      if (verify === null) return next;
      const from = new Map(next);
      for (const [partition, { offset }] of verify.records) from.set(partition, offset);
      return from;
    },
  };
}

/** While a snapshot is being written: batches wait for `ready()`, and a change that cannot wait finishes the snapshot first. */
export function createSnapshotHold() {
  let finish: (() => void) | null = null;
  let held: { promise: Promise<void>; release: () => void } | null = null;
  return {
    hold(finishNow: () => void): void {
      finish = finishNow;
      let release = (): void => undefined;
      const promise = new Promise<void>((resolve) => (release = resolve));
      held = { promise, release };
    },
    release(): void {
      finish = null;
      held?.release();
      held = null;
    },
    ready: (): Promise<void> | undefined => held?.promise,
    /** Called before the view changes. */
    beforeChange(): void {
      const finishNow = finish;
      finish = null;
      finishNow?.();
    },
  };
}
