/** Helpers shared by the projections' snapshot codecs: fixed-size chunks, and checks on what comes back. */
import type { Author } from '../events.js';

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
export const strOrNull = (value: unknown): string | null => (value === null ? null : str(value));
export const num = (value: unknown): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SnapshotShapeError('a snapshot field is not a number');
  return value;
};
export const numOrNull = (value: unknown): number | null => (value === null ? null : num(value));

/** An 'authors' chunk read back: each list into the view's table by its key, and in order for the refs that follow. */
export function addAuthorLists(items: readonly unknown[], into: Map<string, Author[]>, lists: Author[][]): void {
  for (const item of items) {
    const [key, list] = tuple(item, 2);
    if (!Array.isArray(list)) throw new SnapshotShapeError('an author list is not a list');
    into.set(str(key), list as Author[]);
    lists.push(list as Author[]);
  }
}

/** A column with few distinct values (a status, a year) is written as a table of them and an index per item. */
const TABLE_WHEN = 4;

/**
 * A column of strings (or nulls) as two JSON values that parse without a string per item: either a table of the
 * distinct values and an index per item, or every value joined end to end and the length of each (-1 for null).
 */
export function stringColumn(values: readonly (string | null)[]): ['table', (string | null)[], number[]] | ['joined', string, number[]] {
  const index = new Map<string | null, number>();
  for (const value of values) {
    if (!index.has(value)) index.set(value, index.size);
    if (index.size * TABLE_WHEN > values.length) break;
  }
  if (index.size * TABLE_WHEN <= values.length) return ['table', [...index.keys()], values.map((value) => index.get(value)!)];
  return ['joined', values.filter((value) => value !== null).join(''), values.map((value) => (value === null ? -1 : value.length))];
}

/** The strings `stringColumn` wrote, `length` of them; throws on anything else. */
export function stringsBack(column: unknown, length: number): (string | null)[] {
  const [form, values, refs] = tuple(column, 3);
  if (!Array.isArray(refs) || refs.length !== length) throw new SnapshotShapeError('a string column has the wrong length');
  const out = new Array<string | null>(length);
  if (form === 'table') {
    if (!Array.isArray(values)) throw new SnapshotShapeError('a string column has no table');
    for (const value of values) if (value !== null) str(value);
    for (let i = 0; i < length; i++) {
      const ref = refs[i] as unknown;
      if (typeof ref !== 'number' || !(ref >= 0 && ref < values.length && Number.isInteger(ref)))
        throw new SnapshotShapeError('a string column names an unknown value');
      out[i] = values[ref] as string | null;
    }
    return out;
  }
  if (form !== 'joined') throw new SnapshotShapeError('a string column of no known form');
  const joined = str(values);
  let at = 0;
  for (let i = 0; i < length; i++) {
    const size = refs[i] as unknown;
    if (size === -1) {
      out[i] = null;
      continue;
    }
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || at + size > joined.length)
      throw new SnapshotShapeError('a string column has a bad length');
    out[i] = joined.slice(at, at + size);
    at += size;
  }
  if (at !== joined.length) throw new SnapshotShapeError('a string column has characters left over');
  return out;
}
