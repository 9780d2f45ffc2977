import type { RecordedEvent } from './events.js';

/**
 * A read model folded from the log. `evolve` may update the view it is given and return it:
 * the runner owns the view and nothing else holds it, so folding a million events copies nothing.
 */
export interface Projection<V> {
  initialState(): V;
  evolve(view: V, event: RecordedEvent): V;
}
