/** Helpers shared by the projections' snapshot codecs: fixed-size chunks, and checks on what comes back. */

/** Items per chunk: about a millisecond of JSON each. */
export const CHUNK = 1000;

export function* inChunks<T, R>(items: Iterable<T>, kind: string, encode: (item: T) => R): Generator<{ kind: string; items: R[] }> {
  let batch: R[] = [];
  for (const item of items) {
    batch.push(encode(item));
    if (batch.length === CHUNK) {
      yield { kind, items: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { kind, items: batch };
}

/** A snapshot chunk of the wrong shape: reading it again gives the same. */
export class SnapshotShapeError extends Error {
  readonly retriable = false;
}

export function chunkOf(chunk: unknown): { kind: string; items: unknown[] } {
  const candidate = chunk as { kind?: unknown; items?: unknown };
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.kind !== 'string' || !Array.isArray(candidate.items)) {
    throw new SnapshotShapeError('a snapshot chunk is not { kind, items }');
  }
  return { kind: candidate.kind, items: candidate.items };
}

export function tuple(item: unknown, length: number): unknown[] {
  if (!Array.isArray(item) || item.length !== length) throw new SnapshotShapeError(`a snapshot item is not an array of ${length}`);
  return item;
}

export const str = (value: unknown): string => {
  if (typeof value !== 'string') throw new SnapshotShapeError('a snapshot field is not a string');
  return value;
};
export const num = (value: unknown): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SnapshotShapeError('a snapshot field is not a number');
  return value;
};

/** A chunk's count of items: a whole number, not negative. */
export const count = (value: unknown): number => {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new SnapshotShapeError('a chunk has no count');
  return value as number;
};
