/**
 * Turns records into the projection's state: decodes each, applies an event id once, evolves the view,
 * and counts and keeps what it rejected or ignored.
 */
import { decodeEvent } from '../domain/event-envelope.js';
import type { RecordedEvent } from '../domain/events.js';
import type { Projection } from '../domain/projection.js';
import { createEventIdSet, type EventIdSet } from './event-id-set.js';
import type { EventTotals } from './health.js';
import type { EventCounters, LogRecord, Logger } from './ports.js';
import { createRejectedEvents, type RejectedEvent } from './rejected-events.js';

export interface RecordApplierOptions<V> {
  projection: Projection<V>;
  topic: string;
  logger: Logger;
  counters: EventCounters;
  now: () => number;
  /** Told of each event read from the log once it is applied, with where it stood. */
  onApplied?: (event: RecordedEvent, partition: number, offset: number) => void;
}

const noTotals = (): EventTotals => ({ applied: 0, rejected: 0, ignored: 0, duplicates: 0 });

export function createRecordApplier<V>({ projection, topic, logger, counters, now, onApplied }: RecordApplierOptions<V>) {
  let view = projection.initialState();
  let ids: EventIdSet = createEventIdSet();
  let version = 0;
  const totals = noTotals();
  const rejected = createRejectedEvents();

  function apply(record: LogRecord): boolean {
    const decoded = decodeEvent(record.value, { topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp });
    switch (decoded.kind) {
      case 'event': {
        if (!ids.add(decoded.event.metadata.eventId)) {
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
      case 'rejected': {
        const { partition, offset, value } = record;
        const { reason, detail } = decoded;
        totals.rejected++;
        counters.rejected(reason);
        rejected.add({ partition, offset, reason, detail, value, at: new Date(now()).toISOString() });
        logger.warn({ partition, offset, reason, detail }, 'event rejected');
        return false;
      }
    }
  }

  function changed(count: number): void {
    if (count === 0) return;
    version++;
    counters.applied(count);
  }

  return {
    view: (): V => view,
    /** Changes whenever an event was applied: a key for cached answers. */
    version: (): number => version,
    ids: (): EventIdSet => ids,
    totals: (): EventTotals => ({ ...totals }),
    rejected: (): RejectedEvent[] => rejected.list(),
    hasApplied: (eventId: string): boolean => ids.has(eventId),

    /** Applies one partition's records in offset order, skipping those before `from`; returns the next offset to read. */
    applyFrom(records: readonly LogRecord[], from: number): number {
      let count = 0;
      for (const record of records) {
        const offset = Number(record.offset);
        if (offset < from) continue;
        if (apply(record)) count++;
        from = offset + 1;
      }
      changed(count);
      return from;
    },

    /** Applies events this process wrote itself; the ones already applied are skipped. */
    applyOwn(events: readonly RecordedEvent[]): void {
      let count = 0;
      for (const event of events) {
        if (!ids.add(event.metadata.eventId)) continue;
        view = projection.evolve(view, event);
        totals.applied++;
        count++;
      }
      changed(count);
    },

    /** Takes a snapshot's state in place of its own. */
    restore(state: { view: V; ids: EventIdSet }): void {
      view = state.view;
      ids = state.ids;
      version++;
    },

    /** Back to the initial state; the rejects kept stay listed. */
    reset(): void {
      view = projection.initialState();
      ids = createEventIdSet();
      Object.assign(totals, noTotals());
      version++;
    },
  };
}

export type RecordApplier<V> = ReturnType<typeof createRecordApplier<V>>;
