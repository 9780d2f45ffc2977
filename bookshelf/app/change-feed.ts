/**
 * The changes a view applied, kept in a bounded ring so that a client can resume from a position
 * token, and handed to whoever listens as they are applied.
 */
import type { BookEventType } from '../domain/events.js';
import type { LogPosition } from './log-position.js';

export interface Change {
  partition: number;
  offset: number;
  event: BookEventType;
  /** The book the event is about; null for a hand-pushed read naming none. */
  book: string | null;
  created: string;
}

/** Where a change stands in the log: all the feed needs to know of it. */
export interface Placed {
  partition: number;
  offset: number;
}

export type ChangeListener<C extends Placed = Change> = (change: C) => void;

export interface Subscription<C extends Placed = Change> {
  /** Changes the client's position lacks that the ring no longer holds: it has to reload. */
  missed: boolean;
  /** Changes kept in the ring that the client's position lacks, oldest first (empty when `missed`). */
  backlog: C[];
  unsubscribe: () => void;
}

/** True when a client at `position` already has `change`. */
export const covers = (position: LogPosition, change: Placed): boolean => (position.get(change.partition) ?? -1) >= change.offset;

export function createChangeFeed<C extends Placed = Change>({ capacity = 1000 }: { capacity?: number } = {}) {
  type Change = C;
  const ring: (Change | undefined)[] = new Array<Change | undefined>(capacity);
  let start = 0;
  let size = 0;
  /** Per partition, the newest offset that fell out of the ring. */
  const dropped = new Map<number, number>();
  const listeners = new Set<ChangeListener<Change>>();

  function kept(): Change[] {
    const changes: Change[] = [];
    for (let i = 0; i < size; i++) changes.push(ring[(start + i) % capacity]!);
    return changes;
  }

  return {
    publish(change: Change): void {
      if (size === capacity) {
        const oldest = ring[start]!;
        dropped.set(oldest.partition, Math.max(oldest.offset, dropped.get(oldest.partition) ?? -1));
        ring[start] = change;
        start = (start + 1) % capacity;
      } else {
        ring[(start + size) % capacity] = change;
        size++;
      }
      for (const listener of listeners) listener(change);
    },

    /**
     * Listens from `since` on (null: from now). Changes the position already has are not delivered,
     * also when this view is behind the client (another instance served it before).
     */
    subscribe(since: LogPosition | null, listener: ChangeListener<Change>): Subscription<Change> {
      let missed = false;
      if (since !== null) for (const [partition, offset] of dropped) if ((since.get(partition) ?? -1) < offset) missed = true;
      const backlog = since === null || missed ? [] : kept().filter((change) => !covers(since, change));
      const deliver: ChangeListener<Change> = since === null || missed ? listener : (change) => covers(since, change) || listener(change);
      listeners.add(deliver);
      return { missed, backlog, unsubscribe: () => listeners.delete(deliver) };
    },

    /** Counts everything up to `position` as no longer kept: the feed began there (a follower's start, a snapshot). */
    forget(position: LogPosition): void {
      for (const [partition, offset] of position) dropped.set(partition, Math.max(offset, dropped.get(partition) ?? -1));
    },

    listeners: (): number => listeners.size,
  };
}

export type ChangeFeed<C extends Placed = Change> = ReturnType<typeof createChangeFeed<C>>;
