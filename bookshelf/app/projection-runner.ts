/**
 * Folds the topic into a projection, remembers how far it got per partition, and answers
 * "has it applied this position yet?" for read-your-writes and for health.
 */
import { decodeEvent } from '../domain/event-envelope.js';
import type { RecordedEvent } from '../domain/events.js';
import type { Projection } from '../domain/projection.js';
import { createEventIdSet, type EventIdSet } from './event-id-set.js';
import type { LogPosition } from './log-position.js';
import { formatPosition, hasReached } from './log-position.js';
import type { EventCounters, KafkaState, LogRecord, Logger, PartitionEnds } from './ports.js';
import { createRejectedEvents, type RejectedEvent } from './rejected-events.js';
import { createRestoreCheck, createSnapshotHold } from './restore-check.js';
import type { LastRecord, RestoredState, SnapshotSource } from './snapshot-state.js';

/**
 * Pauses before each look at the log's end when a position seems beyond it (ms, a tenth of a second in all). The
 * first comes before Kafka is asked at all: a position just written is usually applied by then.
 */
const BEYOND_RECHECK_MS = [10, 10, 20, 60];
export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface PartitionProgress {
  applied: number | null;
  end: number | null;
  lag: number;
}

export interface HealthReport {
  status: HealthStatus;
  topic: string;
  kafka: KafkaState;
  error?: string;
  caughtUp: boolean;
  lag: number;
  partitions: Record<string, PartitionProgress>;
  events: { applied: number; rejected: number; ignored: number; duplicates: number };
  /** Where the state came from: a snapshot (and which), or the log from its start; `replayed`: events applied after it. */
  restored?: SnapshotSource & { replayed: number };
}

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
}

interface Waiter {
  position: LogPosition;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

export function createProjectionRunner<V>(options: ProjectionRunnerOptions<V>) {
  const { projection, topic, logger, counters, staleAfterMs = 15_000, now = Date.now, fetchEnds, onApplied } = options;
  let view = projection.initialState();
  let version = 0;
  const next = new Map<number, number>();
  const high = new Map<number, number>();
  let startEnds: Map<number, PartitionEnds> | null = null;
  let caughtUp = false;
  let appliedIds: EventIdSet = createEventIdSet();
  /** The last record read per partition, which a snapshot names so that a topic made again is noticed. */
  const last = new Map<number, LastRecord>();
  let restored: SnapshotSource | undefined;
  const check = createRestoreCheck();
  const hold = createSnapshotHold();
  /** After a reset, nothing is applied until the consumer starts reading again. */
  let discarding = false;
  let restoring = false;
  const rejected = createRejectedEvents();
  const totals = { applied: 0, rejected: 0, ignored: 0, duplicates: 0 };
  const waiters = new Set<Waiter>();
  let closed = false;
  /** The applied position as a token, made again only after it moved. */
  let appliedToken: string | null = null;
  let kafka: { state: KafkaState; error?: string; lastFetch: number } = { state: 'connecting', lastFetch: 0 };

  function apply(record: LogRecord): boolean {
    const decoded = decodeEvent(record.value, { topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp });
    switch (decoded.kind) {
      case 'event': {
        if (!appliedIds.add(decoded.event.metadata.eventId)) {
          totals.duplicates++;
          counters.duplicate();
          return false;
        }
        view = projection.evolve(view, decoded.event);
        totals.applied++;
        onApplied?.(decoded.event, record.partition, Number(record.offset));
        return true;
      }
      case 'ignored':
        totals.ignored++;
        counters.ignored(decoded.name);
        return false;
      case 'rejected':
        totals.rejected++;
        counters.rejected(decoded.reason);
        rejected.add({
          partition: record.partition,
          offset: record.offset,
          reason: decoded.reason,
          detail: decoded.detail,
          value: record.value,
          at: new Date(now()).toISOString(),
        });
        logger.warn(
          { partition: record.partition, offset: record.offset, reason: decoded.reason, detail: decoded.detail },
          'event rejected',
        );
        return false;
    }
  }

  function checkCaughtUp(): void {
    if (caughtUp || startEnds === null || check.pending()) return;
    for (const { partition, low, high: end } of startEnds.values()) {
      if ((next.get(partition) ?? low) < end) return;
    }
    caughtUp = true;
    logger.info({ applied: totals.applied, rejected: totals.rejected }, 'caught up with the log');
  }

  /** The wanted offsets at or past the end of their partition as last reported (a partition not in the topic has none). */
  function pastEnds(wanted: LogPosition): string[] {
    if (startEnds === null) return [];
    const past: string[] = [];
    for (const [partition, offset] of wanted) {
      if ((next.get(partition) ?? 0) > offset) continue;
      const end = high.get(partition);
      if (end === undefined) past.push(`partition ${partition} is not in topic ${topic}`);
      else if (offset >= end) past.push(`partition ${partition} ends before offset ${end}`);
    }
    return past;
  }

  function settleWaiters(): void {
    for (const waiter of waiters) {
      if (hasReached(next, waiter.position)) {
        clearTimeout(waiter.timer);
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  }

  /** True as soon as `position` is applied, false after `timeoutMs`. */
  function reachedWithin(position: LogPosition, timeoutMs: number): Promise<boolean> {
    if (hasReached(next, position)) return Promise.resolve(true);
    if (closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  }

  return {
    topic,
    view: (): V => view,
    /** Changes whenever an event was applied: a key for cached answers. */
    version: (): number => version,

    /** Applies records of one partition in offset order; records already passed are skipped. */
    applyBatch(partition: number, records: readonly LogRecord[], highWatermark?: string): void {
      if (discarding || !check.passes(partition, records)) return;
      hold.beforeChange();
      const tail = records[records.length - 1];
      if (tail !== undefined && Number(tail.offset) >= (last.get(partition)?.offset ?? -1))
        last.set(partition, { ...tail, offset: Number(tail.offset) });
      let from = next.get(partition) ?? -1;
      let changed = 0;
      for (const record of records) {
        const offset = Number(record.offset);
        if (offset < from) continue;
        if (apply(record)) changed++;
        from = offset + 1;
      }
      if (from >= 0 && from !== next.get(partition)) {
        next.set(partition, from);
        appliedToken = null;
      }
      if (highWatermark !== undefined) high.set(partition, Number(highWatermark));
      if (changed > 0) {
        version++;
        counters.applied(changed);
      }
      checkCaughtUp();
      if (waiters.size > 0) settleWaiters();
    },

    /**
     * Moves a partition's position past offsets that carry no event (transaction markers, aborted or
     * compacted records), so that a log ending in them still counts as read.
     */
    passOffsets(partition: number, nextOffset: number): void {
      if (discarding || check.waitsFor(partition)) return;
      if (nextOffset <= (next.get(partition) ?? -1)) return;
      next.set(partition, nextOffset);
      appliedToken = null;
      checkCaughtUp();
      if (waiters.size > 0) settleWaiters();
    },

    /** Applies events this process wrote and Kafka acknowledged, before they are read back; reading them back skips them. */
    applyOwn(events: readonly RecordedEvent[]): void {
      hold.beforeChange();
      let changed = 0;
      for (const event of events) {
        if (!appliedIds.add(event.metadata.eventId)) continue;
        view = projection.evolve(view, event);
        totals.applied++;
        changed++;
      }
      if (changed > 0) {
        version++;
        counters.applied(changed);
      }
    },

    /** The end offsets seen at start: health is `warn` until they are all applied. */
    setStartEnds(ends: readonly PartitionEnds[]): void {
      if (startEnds !== null) return;
      startEnds = new Map(ends.map((end) => [end.partition, end]));
      for (const end of ends) if (!high.has(end.partition)) high.set(end.partition, end.high);
      checkCaughtUp();
    },

    appliedPosition(): string {
      if (appliedToken === null) appliedToken = formatPosition(new Map([...next].map(([partition, offset]) => [partition, offset - 1])));
      return appliedToken;
    },

    /** The next offset to read per partition, for a consumer that has to seek after rejoining. */
    nextOffsets: (): ReadonlyMap<number, number> => next,

    /** Where the consumer starts: the next offsets, or a restored snapshot's last records, read again to compare them. */
    readFrom: (): ReadonlyMap<number, number> => check.readFrom(next),

    /** What a snapshot keeps; `finishNow` runs before the view next changes, so that the snapshot can finish first. */
    snapshotState(finishNow: () => void) {
      hold.hold(finishNow);
      return { view, ids: appliedIds, next: new Map(next), last: new Map(last), applied: totals.applied };
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
      view = state.view;
      appliedIds = state.ids;
      for (const [partition, offset] of state.next) next.set(partition, offset);
      check.set(state.verify);
      restored = state.source;
      version++;
      appliedToken = null;
    },

    /** Back to the beginning: the restored snapshot turned out wrong. Nothing is applied until `resume()`. */
    reset(): void {
      hold.beforeChange();
      discarding = true;
      view = projection.initialState();
      appliedIds = createEventIdSet();
      next.clear();
      last.clear();
      startEnds = null;
      caughtUp = false;
      check.clear();
      restored = { from: 'log' };
      Object.assign(totals, { applied: 0, rejected: 0, ignored: 0, duplicates: 0 });
      version++;
      appliedToken = null;
    },

    resume(): void {
      discarding = false;
    },

    setKafkaState(state: KafkaState, error?: string): void {
      kafka = { state, ...(error !== undefined && { error }), lastFetch: state === 'running' ? now() : kafka.lastFetch };
    },

    /** A fetch came back from Kafka: it is reachable. */
    markFetched(): void {
      kafka.lastFetch = now();
      if (kafka.state !== 'running') kafka = { state: 'running', lastFetch: kafka.lastFetch };
    },

    isCaughtUp: (): boolean => caughtUp,

    /** Whether an event with this id was applied (read from the log, or applied as this process's own). */
    hasApplied: (eventId: string): boolean => appliedIds.has(eventId),

    reached: (position: LogPosition): boolean => hasReached(next, position),

    /** Resolves true once `position` is applied, false after `timeoutMs`. */
    waitFor(position: LogPosition, timeoutMs: number): Promise<boolean> {
      if (hasReached(next, position)) return Promise.resolve(true);
      if (timeoutMs <= 0) return Promise.resolve(false);
      return reachedWithin(position, timeoutMs);
    },

    /**
     * Why `position` lies beyond the end of the log, or null when it may yet be reached. Kafka is asked again first,
     * so that an offset acknowledged since its last report is never called beyond; unreachable, nothing is.
     */
    async beyondLog(position: LogPosition): Promise<string | null> {
      if (pastEnds(position).length === 0) return null;
      if (!fetchEnds) return null;
      // Kafka reports the end that read_committed readers see: it passes a committed transaction only once the
      // commit markers are written, a few milliseconds after the writer was told. Ask a few times before refusing.
      for (const pause of BEYOND_RECHECK_MS) {
        // Applied during the pause (the consumer often gets there before Kafka's answer): it was never beyond.
        if (await reachedWithin(position, pause)) return null;
        try {
          for (const end of await fetchEnds()) if ((high.get(end.partition) ?? -1) < end.high) high.set(end.partition, end.high);
        } catch {
          return null;
        }
        if (pastEnds(position).length === 0) return null;
      }
      return pastEnds(position).join('; ');
    },

    rejected: (): RejectedEvent[] => rejected.list(),

    health(): HealthReport {
      const partitions: Record<string, PartitionProgress> = {};
      let lag = 0;
      for (const [partition, end] of high) {
        const applied = next.get(partition);
        const behind = Math.max(0, end - (applied ?? startEnds?.get(partition)?.low ?? 0));
        partitions[partition] = { applied: applied === undefined ? null : applied - 1, end, lag: behind };
        lag += behind;
      }
      const stale = kafka.state === 'running' && now() - kafka.lastFetch > staleAfterMs;
      const reachable = kafka.state === 'running' && !stale;
      // Loading a snapshot, before Kafka is asked: on the way, not failing.
      const status: HealthStatus = restoring ? 'warn' : !reachable ? 'fail' : caughtUp ? 'pass' : 'warn';
      const error = stale ? `no answer from Kafka for ${Math.round((now() - kafka.lastFetch) / 1000)} s` : kafka.error;
      return {
        status,
        topic,
        kafka: stale ? 'down' : kafka.state,
        ...(error !== undefined && !reachable && { error }),
        caughtUp,
        lag,
        partitions,
        events: { ...totals },
        ...(restored !== undefined && { restored: { ...restored, replayed: totals.applied } }),
      };
    },

    /** Answers every wait now (not reached), and every later one at once: the service is stopping. */
    close(): void {
      closed = true;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve(false);
      }
      waiters.clear();
    },
  };
}

export type ProjectionRunner<V> = ReturnType<typeof createProjectionRunner<V>>;
