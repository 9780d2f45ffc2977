/** given(events).then(query) for projections: fold the events, then look at the view. */
import { expect } from 'vitest';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import type { Projection } from '../../bookshelf/domain/projection.js';

export function projectionSpec<V>(projection: Projection<V>) {
  return (...events: RecordedEvent[]) => {
    const view = events.reduce((state, event) => projection.evolve(state, event), projection.initialState());
    return {
      then<R>(query: (view: V) => R, expected: R): void {
        expect(query(view)).toEqual(expected);
      },
      view,
    };
  };
}
