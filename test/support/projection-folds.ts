/** A projection's state after some events, and that state as a snapshot gives it back. */
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import type { Projection } from '../../bookshelf/domain/projection.js';

export const fold = <V>(projection: Projection<V>, events: RecordedEvent[], view = projection.initialState()): V =>
  events.reduce((state, event) => projection.evolve(state, event), view);

/** The view as a snapshot holds it, a line (a chunk's JSON) each. */
export const linesOf = <V>(projection: Projection<V>, view: V): string[] =>
  [...projection.snapshot!.encode(view)].map((chunk) => JSON.stringify(chunk));

/** The view decoded from snapshot lines: restored books stay packed, built when asked for. */
export function readBack<V>(projection: Projection<V>, lines: string[]): V {
  const decoder = projection.snapshot!.decoder();
  for (const line of lines) decoder.add(JSON.parse(line));
  return decoder.view();
}

/** Encoded, each chunk through JSON as in a file, and decoded. */
export const throughSnapshot = <V>(projection: Projection<V>, view: V): V => readBack(projection, linesOf(projection, view));
