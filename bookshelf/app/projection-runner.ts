/**
 * Folds the topic into a projection, remembers how far it got per partition, and answers
 * "has it applied this position yet?" for read-your-writes and for health. Each job is a part of its own;
 * this puts them together with the snapshot's restore check and hold.
 */
import type { RecordedEvent } from '../domain/events.js';
import type { Projection } from '../domain/projection.js';
import { createCaughtUp } from './caught-up.js';
import { followerHealth, type HealthReport } from './health.js';
import { createKafkaLiveness } from './kafka-liveness.js';
import { createLogProgress } from './log-progress.js';
import type { EventCounters, LogRecord, Logger, PartitionEnds } from './ports.js';
import { createPositionWaiters } from './position-waiters.js';
import { createRecordApplier } from './record-applier.js';
import { createRestoreCheck, createSnapshotHold } from './restore-check.js';
import type { RestoredState, SnapshotSource } from './snapshot-state.js';

export interface ProjectionRunnerOptions<V> {
  projection: Projection<V>;
  topic: string;
  logger: Logger;
  counters: EventCounters;
  /** Without a fetch for this long, Kafka counts as unreachable. */
  staleAfterMs?: number;
  now?: () => number;
  /** Asks Kafka where the partitions end now, when a wanted position looks beyond what it last reported. */
  fetchEnds?: () => Promise<readonly PartitionEnds[]>;
  /** Told of each event once it is applied, with where it stood in the log: live change feeds listen here. */
  onApplied?: (event: RecordedEvent, partition: number, offset: number) => void;
  /** Told when the projection has caught up with the log, with how many events it applied since its start. */
  onCaughtUp?: (applied: number) => void;
}

export function createProjectionRunner<V>(options: ProjectionRunnerOptions<V>) {
  const { projection, topic, logger, counters, staleAfterMs, now = Date.now, fetchEnds, onApplied, onCaughtUp } = options;
  const records = createRecordApplier({ projection, topic, logger, counters, now, ...(onApplied && { onApplied }) });
  const progress = createLogProgress(topic);
  const waiters = createPositionWaiters({ progress, ...(fetchEnds && { fetchEnds }) });
  const kafka = createKafkaLiveness({ now, ...(staleAfterMs !== undefined && { staleAfterMs }) });
  const check = createRestoreCheck();
  const hold = createSnapshotHold();
  const caughtUp = createCaughtUp({
    reachedStart: () => !check.pending() && progress.readToStartEnds(),
    onCaughtUp: () => {
      const { applied, rejected } = records.totals();
      logger.info({ applied, rejected }, 'caught up with the log');
      onCaughtUp?.(applied);
    },
  });
  let restored: SnapshotSource | undefined;
  /** After a reset, nothing is applied until the consumer starts reading again. */
  let discarding = false;
  let restoring = false;

  function moved(): void {
    caughtUp.check();
    waiters.settle();
  }

  return {
    topic,
    view: records.view,
    /** Changes whenever an event was applied: a key for cached answers. */
    version: records.version,

    /** Where the consumer reports whether Kafka answers. */
    liveness: kafka.report,

    /** Applies records of one partition in offset order; records already passed are skipped. */
    applyBatch(partition: number, batch: readonly LogRecord[], highWatermark?: string): void {
      if (discarding || !check.passes(partition, batch)) return;
      hold.beforeChange();
      const tail = batch[batch.length - 1];
      if (tail !== undefined) progress.remember(partition, tail);
      const from = records.applyFrom(batch, progress.nextOf(partition) ?? -1);
      if (from >= 0) progress.moveTo(partition, from);
      if (highWatermark !== undefined) progress.setEnd(partition, Number(highWatermark));
      moved();
    },

    /**
     * Moves a partition's position past offsets that carry no event (transaction markers, aborted or
     * compacted records), so that a log ending in them still counts as read.
     */
    passOffsets(partition: number, nextOffset: number): void {
      if (discarding || check.waitsFor(partition)) return;
      if (nextOffset <= (progress.nextOf(partition) ?? -1)) return;
      progress.moveTo(partition, nextOffset);
      moved();
    },

    /** Applies events this process wrote and Kafka acknowledged, before they are read back; reading them back skips them. */
    applyOwn(events: readonly RecordedEvent[]): void {
      hold.beforeChange();
      records.applyOwn(events);
    },

    /** The end offsets seen at start: health is `warn` until they are all applied. */
    setStartEnds(ends: readonly PartitionEnds[]): void {
      if (progress.setStartEnds(ends)) caughtUp.check();
    },

    appliedPosition: progress.appliedPosition,

    /** Where the consumer starts: the next offsets, or a restored snapshot's last records, read again to compare them. */
    readFrom: (): ReadonlyMap<number, number> => check.readFrom(progress.next()),

    /** What a snapshot keeps; `finishNow` runs before the view next changes, so that the snapshot can finish first. */
    snapshotState(finishNow: () => void) {
      hold.hold(finishNow);
      const { view, ids, totals } = records;
      return { view: view(), ids: ids(), next: new Map(progress.next()), last: progress.lastRecords(), applied: totals().applied };
    },

    /** The snapshot has its copy of the state: the view may change again. */
    releaseSnapshot: () => hold.release(),

    /** While a snapshot is being written, resolves once it is done, so that a batch read meanwhile does not force it to finish at once. */
    ready: hold.ready,

    /** Says where the state came from when no snapshot was restored. */
    setSource(source: SnapshotSource): void {
      restored = source;
      restoring = false;
    },

    /** A snapshot is being fetched or loaded: health says warn until it is in place or given up. */
    beginRestore(): void {
      restoring = true;
    },

    /** Starts from a snapshot instead of the beginning of the log; called before the consumer starts. */
    restore(state: RestoredState<V>): void {
      restoring = false;
      records.restore(state);
      for (const [partition, offset] of state.next) progress.moveTo(partition, offset);
      check.set(state.verify);
      restored = state.source;
    },

    /** Back to the beginning: the restored snapshot turned out wrong. Nothing is applied until `resume()`. */
    reset(): void {
      hold.beforeChange();
      discarding = true;
      records.reset();
      progress.clear();
      caughtUp.reset();
      check.clear();
      restored = { from: 'log' };
    },

    resume(): void {
      discarding = false;
    },

    isCaughtUp: caughtUp.is,

    /** Whether an event with this id was applied (read from the log, or applied as this process's own). */
    hasApplied: records.hasApplied,

    reached: progress.reached,
    waitFor: waiters.waitFor,
    beyondLog: waiters.beyondLog,
    rejected: records.rejected,

    health: (): HealthReport =>
      followerHealth({
        topic,
        kafka: kafka.status(),
        restoring,
        caughtUp: caughtUp.is(),
        progress: progress.report(),
        events: records.totals(),
        restored,
      }),

    /** Answers every wait now (not reached), and every later one at once: the service is stopping. */
    close: waiters.close,
  };
}

export type ProjectionRunner<V> = ReturnType<typeof createProjectionRunner<V>>;
