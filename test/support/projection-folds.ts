/** A projection's state after some events, and that state as a snapshot gives it back. */
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import type { Projection } from '../../bookshelf/domain/projection.js';

export const fold = <V>(projection: Projection<V>, events: RecordedEvent[], view = projection.initialState()): V =>
  events.reduce((state, event) => projection.evolve(state, event), view);

/** Encoded, each chunk through JSON as in a file, and decoded: restored books stay packed, built when asked for. */
export function throughSnapshot<V>(projection: Projection<V>, view: V): V {
  const decoder = projection.snapshot!.decoder();
  for (const chunk of projection.snapshot!.encode(view)) decoder.add(JSON.parse(JSON.stringify(chunk)));
  return decoder.view();
}
