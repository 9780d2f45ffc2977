/** The last-read view in snapshot chunks and back: book details, reads, removed ids and the arrival counter. */
import type { Author, BookDetails } from '../events.js';
import type { LastReadView } from './last-read.projection.js';
import { addAuthorLists, chunkOf, inChunks, num, SnapshotShapeError, str, stringColumn, stringsBack, tuple } from './snapshot-chunks.js';
import { intsBack, packInts, packStrings, StringsReader } from './packed-columns.js';
import { ChunkedEntries } from './packed-entries.js';
import { restoreSegments, snapshotRuns, type PackedSegment } from './packed-segments.js';

const NO_AUTHOR = -1;
/** The book's author list is not in the table (it was replaced there since): it is written with the book. */
const OWN_AUTHOR = -2;

type Read = LastReadView['reads'] extends Map<string, infer R> ? R : never;

function details(value: unknown): BookDetails {
  if (value === 0) return NO_DETAILS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotShapeError('read details are not an object');
  return value;
}

const list = (value: unknown): unknown[] => {
  if (!Array.isArray(value)) throw new SnapshotShapeError('a snapshot column is not a list');
  return value;
};
const present = (value: string | null | undefined): string => {
  if (typeof value !== 'string') throw new SnapshotShapeError('a snapshot field is missing');
  return value;
};

/** Reads that name only the book share one empty object, as in the projection. */
const NO_DETAILS: BookDetails = Object.freeze({});

const isEmpty = (d: BookDetails): boolean =>
  d.title === undefined && d.author === undefined && d.type === undefined && d.year === undefined && d.isbn === undefined;

/** A restored books chunk: the refs it names and the lists they stood for, as read, and its items again. */
interface BooksAgain {
  refs: Int32Array;
  lists: readonly Author[][];
  items(): unknown[];
}

export function* encodeLastRead(view: LastReadView): Generator<unknown> {
  yield { kind: 'seq', items: [view.seq] };
  // Author lists by index, gathered chunk by chunk as they are written, so that no step takes long.
  const table: Author[][] = [];
  const index = new Map<Author[], number>();
  for (const { items } of inChunks(view.authors, 'authors', (entry) => entry)) {
    for (const [, list] of items) index.set(list, table.push(list) - 1);
    yield { kind: 'authors', items };
  }
  // Column by column, strings joined or by table: a few long values parse faster than a value per field.
  // Book details packed column by column: read back, a book's are built only when a read of it is shown; a restored
  // chunk none of whose books changed, naming the same author lists at the same indexes, is written as it came.
  const unchanged = ({ first, length, again }: PackedSegment<BooksAgain>) => {
    if (!view.books.untouched(first, length)) return false;
    for (const ref of again.refs) if (ref >= 0 && table[ref] !== again.lists[ref]) return false;
    return true;
  };
  for (const run of snapshotRuns(view.books, unchanged)) {
    if ('again' in run) {
      yield { kind: 'books', items: run.again.items() };
      continue;
    }
    const items = run.entries;
    const strings = (field: 'title' | 'type' | 'year') => packStrings(items.map(([, b]) => b[field] ?? null));
    const own: [number, Author[]][] = [];
    const refs = items.map(([, b], i) => {
      if (b.author === undefined) return NO_AUTHOR;
      const ref = index.get(b.author);
      if (ref !== undefined) return ref;
      own.push([i, b.author]);
      return OWN_AUTHOR;
    });
    yield {
      kind: 'books',
      items: [items.length, packStrings(items.map(([id]) => id)), strings('title'), packInts(refs), own, strings('type'), strings('year')],
    };
  }
  for (const { items } of inChunks(view.reads, 'reads', (entry) => entry)) {
    yield {
      kind: 'reads',
      items: [
        stringColumn(items.map(([key]) => key)),
        stringColumn(items.map(([, r]) => r.id)),
        stringColumn(items.map(([, r]) => r.readAt)),
        items.map(([, r]) => r.readAtMs),
        items.map(([, r]) => r.seq),
        items.map(([, r]) => (isEmpty(r.details) ? 0 : r.details)),
      ],
    };
  }
  yield* inChunks(view.removed, 'removed', (id) => id);
}

export function lastReadDecoder(initial: () => LastReadView) {
  const view = initial();
  const lists: Author[][] = [];
  const books = new ChunkedEntries<LastReadView['books'] extends Map<string, infer B> ? B : never>();
  const segments: PackedSegment<BooksAgain>[] = [];
  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'seq':
          view.seq = num(items[0]);
          return;
        case 'authors':
          addAuthorLists(items, view.authors, lists);
          return;
        case 'books': {
          const [size, idColumn, titleColumn, refColumn, ownColumn, typeColumn, yearColumn] = tuple(items, 7);
          if (!Number.isSafeInteger(size) || (size as number) < 0) throw new SnapshotShapeError('a books chunk has no count');
          const length = size as number;
          const [ids, titles, types, years] = [idColumn, titleColumn, typeColumn, yearColumn].map(
            (column) => new StringsReader(column, length),
          );
          const refs = intsBack(refColumn, length);
          const own = new Map<number, Author[]>();
          for (const item of list(ownColumn)) {
            const [at, authors] = tuple(item, 2);
            if (!Array.isArray(authors)) throw new SnapshotShapeError('an author list is not a list');
            own.set(num(at), authors as Author[]);
          }
          for (let i = 0; i < length; i++) {
            const ref = refs[i]!;
            if (ref === OWN_AUTHOR ? !own.has(i) : ref < NO_AUTHOR || ref >= lists.length)
              throw new SnapshotShapeError('a snapshot names an unknown author list');
          }
          const again = () => [length, ids!.packed(), titles!.packed(), packInts(refs), [...own], types!.packed(), years!.packed()];
          segments.push({ first: books.size, length, again: { refs, lists, items: again } });
          books.add(ids!, (i) => {
            const ref = refs[i]!;
            return {
              title: titles!.at(i) ?? undefined,
              author: ref === NO_AUTHOR ? undefined : ref === OWN_AUTHOR ? own.get(i) : lists[ref],
              type: types!.at(i) ?? undefined,
              year: years!.at(i) ?? undefined,
            };
          });
          return;
        }
        case 'reads': {
          const [keyColumn, idColumn, readAtColumn, readAtMs, seqs, detailColumn] = tuple(items, 6);
          const length = list(readAtMs).length;
          if (list(seqs).length !== length || list(detailColumn).length !== length)
            throw new SnapshotShapeError('a reads chunk has a ragged column');
          const [keys, ids, readAts] = [keyColumn, idColumn, readAtColumn].map((column) => stringsBack(column, length));
          for (let i = 0; i < length; i++) {
            const read: Read = {
              id: ids![i]!,
              readAt: present(readAts![i]),
              readAtMs: num((readAtMs as unknown[])[i]),
              seq: num((seqs as unknown[])[i]),
              details: details((detailColumn as unknown[])[i]),
            };
            view.reads.set(present(keys![i]), read);
          }
          return;
        }
        case 'removed':
          for (const id of items) view.removed.add(str(id));
          return;
        default:
          throw new SnapshotShapeError(`unknown chunk kind ${kind}`);
      }
    },
    view(): LastReadView {
      if (books.size > 0) restoreSegments(view.books, books, segments);
      return view;
    },
  };
}
