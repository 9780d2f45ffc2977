/** Helpers shared by the projections' snapshot codecs: fixed-size chunks, and checks on what comes back. */
import type { Author } from '../events.js';
import type { AuthorLists } from './author-lists.js';

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

export class SnapshotShapeError extends Error {}

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
export const strOrNull = (value: unknown): string | null => (value === null ? null : str(value));
export const num = (value: unknown): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SnapshotShapeError('a snapshot field is not a number');
  return value;
};
export const numOrNull = (value: unknown): number | null => (value === null ? null : num(value));

/** Author lists by index: written once each, and shared again by every book that has them once read back. */
export function authorTable(lists: AuthorLists) {
  const index = new Map<Author[], number>();
  const entries: [string, Author[]][] = [];
  for (const entry of lists) {
    index.set(entry[1], entries.length);
    entries.push(entry);
  }
  return {
    entries,
    /** The list's index, or the list itself when it is not in the table. */
    ref: (author: Author[] | null | undefined): number | Author[] | null => (author == null ? null : (index.get(author) ?? author)),
  };
}

export function authorsBack(lists: Author[][]) {
  return (ref: unknown): Author[] | null => {
    if (ref === null) return null;
    if (typeof ref === 'number') {
      const list = lists[ref];
      if (list === undefined) throw new SnapshotShapeError('a snapshot names an unknown author list');
      return list;
    }
    if (!Array.isArray(ref)) throw new SnapshotShapeError('a snapshot author is not a list');
    return ref as Author[];
  };
}
