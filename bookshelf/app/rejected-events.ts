/** The last rejected messages of a consumer, for `GET /rejected`. */

export interface RejectedEvent {
  partition: number;
  offset: string;
  reason: string;
  detail: string;
  /** The start of the value, enough to recognise it. */
  value: string | null;
  at: string;
}

const VALUE_PREVIEW = 200;

export function createRejectedEvents(capacity = 100) {
  const ring: RejectedEvent[] = [];
  return {
    add(entry: Omit<RejectedEvent, 'value'> & { value: string | null }): void {
      const value = entry.value === null || entry.value.length <= VALUE_PREVIEW ? entry.value : `${entry.value.slice(0, VALUE_PREVIEW)}…`;
      ring.push({ ...entry, value });
      if (ring.length > capacity) ring.shift();
    },
    /** Newest first. */
    list: (): RejectedEvent[] => ring.slice().reverse(),
  };
}

export type RejectedEvents = ReturnType<typeof createRejectedEvents>;
