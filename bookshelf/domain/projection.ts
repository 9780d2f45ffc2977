import type { RecordedEvent } from './events.js';

/**
 * A read model folded from the log. `evolve` may update the view it is given and return it:
 * the runner owns the view and nothing else holds it, so folding a million events copies nothing.
 */
export interface Projection<V> {
  initialState(): V;
  evolve(view: V, event: RecordedEvent): V;
  /** How the view is kept in a snapshot; without it, the projection is always rebuilt from the log. */
  snapshot?: ProjectionCodec<V>;
}

/** A view as JSON-able chunks and back, for snapshots. */
export interface ProjectionCodec<V> {
  name: string;
  /** Bumped on any change to `evolve` or to this encoding: a snapshot of another version is not used. */
  version: number;
  /** The view in chunks, each small enough to encode without holding up requests for long. */
  encode(view: V): Iterable<unknown>;
  /**
   * Builds a view from the chunks `encode` gave, in order; throws on a chunk it does not understand, as it is added
   * or, for what shows only across chunks (a key found twice), when the view is made.
   */
  decoder(): { add(chunk: unknown): void; view(): V };
}
