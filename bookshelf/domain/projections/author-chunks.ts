/**
 * The author lists of a view in snapshot chunks and back, as both views keep them: keys joined end to end, a list
 * written out only when it is more than its key's names. Read back, a list is built the first time something names
 * it; written again, a restored chunk whose lists are all still the ones kept is copied as it came.
 */
import type { Author } from '../events.js';
import { authorsKey } from './author-lists.js';
import { packStrings } from './packed-columns.js';
import { StringsReader } from './packed-column-readers.js';
import { ChunkedEntries } from './packed-entries.js';
import { restoreSegments, snapshotRuns, type PackedSegment } from './packed-segments.js';
import type { SegmentMap } from './segment-map.js';
import { count, num, SnapshotShapeError, tuple } from './snapshot-chunks.js';

/** The list an author-table key stands for when each author is only a name, as `sharedAuthors` makes keys. */
const listOfKey = (key: string): Author[] => key.split('\u0000').map((name) => ({ name }));

export function authorList(value: unknown): Author[] {
  if (!Array.isArray(value) || value.some((author) => typeof (author as Author | null)?.name !== 'string'))
    throw new SnapshotShapeError('an author list is not a list of authors');
  return value as Author[];
}

/** A restored authors chunk: the list of each of its entries (by index in the whole table), and its items again. */
interface AuthorsAgain {
  listAt(index: number): Author[];
  items(): unknown[];
}

/**
 * Writes the author lists of `authors` as 'authors' chunks; `refOf` then gives the index of a list in what was
 * written (undefined when the list is not the one kept under its key: it goes with what names it).
 */
export function authorChunks(authors: SegmentMap<Author[]>) {
  // Author lists by index, in the order written, and a list's index found among those written one by one, or else by key.
  const table: Author[][] = [];
  const index = new Map<Author[], number>();
  const refOf = (list: Author[]): number | undefined => {
    const at = index.get(list) ?? authors.packedEntries?.find(authorsKey(list)) ?? -1;
    return at >= 0 && table[at] === list ? at : undefined;
  };
  const unchanged = ({ first, length, again }: PackedSegment<AuthorsAgain>) => {
    for (let at = first; at < first + length; at++) if (authors.peekPacked(at) !== again.listAt(at)) return false;
    return true;
  };
  function* chunks(): Generator<unknown> {
    for (const run of snapshotRuns(authors, unchanged)) {
      if ('again' in run) {
        for (let at = run.first; at < run.first + run.length; at++) table.push(run.again.listAt(at));
        yield { kind: 'authors', items: run.again.items() };
        continue;
      }
      const items = run.entries;
      for (const [, list] of items) index.set(list, table.push(list) - 1);
      const lists = items.map(([key, list]) => (JSON.stringify(list) === JSON.stringify(listOfKey(key)) ? null : JSON.stringify(list)));
      yield { kind: 'authors', items: [items.length, packStrings(items.map(([key]) => key)), packStrings(lists)] };
    }
  }
  return { chunks, refOf, table };
}

/** Reads 'authors' chunks back into packed entries: `listAt` builds a list once, shared by everything that names it. */
export function authorChunksReader() {
  const entries = new ChunkedEntries<Author[]>();
  const lists: (Author[] | undefined)[] = [];
  const explicitLists = new Map<number, Author[]>();
  const listAt = (index: number): Author[] => (lists[index] ??= explicitLists.get(index) ?? listOfKey(entries.keyAt(index)));
  const segments: PackedSegment<AuthorsAgain>[] = [];
  return {
    listAt,
    /** How many lists were read so far: a ref must lie below. */
    get size(): number {
      return entries.size;
    },
    add(items: unknown[]): void {
      const [size, keyColumn, listColumn] = tuple(items, 3);
      const length = count(size);
      const keys = new StringsReader(keyColumn, length);
      const explicit = new StringsReader(listColumn, length);
      const first = entries.size;
      for (let i = 0; i < length; i++) {
        const text = explicit.at(i);
        if (text === null) continue;
        try {
          explicitLists.set(first + i, authorList(JSON.parse(text)));
        } catch (error) {
          throw new SnapshotShapeError(`an author list is not JSON: ${(error as Error).message}`);
        }
      }
      entries.add(keys, (local) => listAt(first + local));
      segments.push({ first, length, again: { listAt, items: () => [length, keys.packed(), explicit.packed()] } });
    },
    /** Puts the lists read into the view's map. */
    /** Puts the lists read in `into`; throws SnapshotShapeError on a list key found twice. */
    restore(into: SegmentMap<Author[]>): void {
      entries.seal();
      if (entries.size > 0) restoreSegments(into, entries, segments);
    },
  };
}

/** The lists given with what names them, by its index in its chunk: `[index, list]` items. */
export function ownLists(items: unknown): Map<number, Author[]> {
  if (!Array.isArray(items)) throw new SnapshotShapeError('a chunk has no list of own authors');
  const own = new Map<number, Author[]>();
  for (const item of items as unknown[]) {
    const [at, list] = tuple(item, 2);
    own.set(num(at), authorList(list));
  }
  return own;
}
