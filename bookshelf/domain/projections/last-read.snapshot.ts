/** The last-read view in snapshot chunks and back: author lists, book details, reads, removed ids and the arrival counter. */
import type { Author, BookDetails } from '../events.js';
import type { LastReadView } from './last-read.projection.js';
import { authorChunks, authorChunksReader, ownLists } from './author-chunks.js';
import { chunkOf, inChunks, num, SnapshotShapeError, str, tuple } from './snapshot-chunks.js';
import { intsBack, packInts, packNumbers, packStrings } from './packed-columns.js';
import { NumbersReader, StringsReader } from './packed-column-readers.js';
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

/** Reads that name only the book share one empty object, as in the projection. */
const NO_DETAILS: BookDetails = Object.freeze({});

const isEmpty = (d: BookDetails): boolean =>
  d.title === undefined && d.author === undefined && d.type === undefined && d.year === undefined && d.isbn === undefined;

/** A restored books chunk: the refs it names and the lists they stand for, as read, and its items again. */
interface BooksAgain {
  refs: Int32Array;
  listAt(index: number): Author[];
  items(): unknown[];
}

/** A restored reads chunk: its items again. */
interface ReadsAgain {
  items(): unknown[];
}

/** Whether a read named its book (its key is then the book's id) or stands alone (keyed by its event). */
const ANONYMOUS = 0;
const NAMED = 1;

export function* encodeLastRead(view: LastReadView): Generator<unknown> {
  yield { kind: 'seq', items: [view.seq] };
  const authors = authorChunks(view.authors);
  yield* authors.chunks();
  const { refOf, table } = authors;
  // Column by column, strings joined or by table: a few long values parse faster than a value per field.
  // Book details packed column by column: read back, a book's are built only when a read of it is shown; a restored
  // chunk none of whose books changed, naming the same author lists at the same indexes, is written as it came.
  const unchanged = ({ first, length, again }: PackedSegment<BooksAgain>) => {
    if (!view.books.untouched(first, length)) return false;
    for (const ref of again.refs) if (ref >= 0 && table[ref] !== again.listAt(ref)) return false;
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
      const ref = refOf(b.author);
      if (ref !== undefined) return ref;
      own.push([i, b.author]);
      return OWN_AUTHOR;
    });
    yield {
      kind: 'books',
      items: [items.length, packStrings(items.map(([id]) => id)), strings('title'), packInts(refs), own, strings('type'), strings('year')],
    };
  }
  // Reads column by column too, details only for the few reads that carried any; a restored chunk none of whose
  // reads changed is written as it came.
  for (const run of snapshotRuns<Read, ReadsAgain>(view.reads, ({ first, length }) => view.reads.untouched(first, length))) {
    if ('again' in run) {
      yield { kind: 'reads', items: run.again.items() };
      continue;
    }
    const items = run.entries;
    const details: [number, BookDetails][] = [];
    items.forEach(([, r], i) => isEmpty(r.details) || details.push([i, r.details]));
    yield {
      kind: 'reads',
      items: [
        items.length,
        packStrings(items.map(([key]) => key)),
        packInts(items.map(([, r]) => (r.id === null ? ANONYMOUS : NAMED))),
        packStrings(items.map(([, r]) => r.readAt)),
        packNumbers(items.map(([, r]) => r.readAtMs)),
        packNumbers(items.map(([, r]) => r.seq)),
        details,
      ],
    };
  }
  yield* inChunks(view.removed, 'removed', (id) => id);
}

export function lastReadDecoder(initial: () => LastReadView) {
  const view = initial();
  const authors = authorChunksReader();
  const { listAt } = authors;
  const books = new ChunkedEntries<LastReadView['books'] extends Map<string, infer B> ? B : never>();
  const segments: PackedSegment<BooksAgain>[] = [];
  const reads = new ChunkedEntries<Read>();
  const readSegments: PackedSegment<ReadsAgain>[] = [];
  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'seq':
          view.seq = num(items[0]);
          return;
        case 'authors':
          authors.add(items);
          return;
        case 'books': {
          const [size, idColumn, titleColumn, refColumn, ownColumn, typeColumn, yearColumn] = tuple(items, 7);
          if (!Number.isSafeInteger(size) || (size as number) < 0) throw new SnapshotShapeError('a books chunk has no count');
          const length = size as number;
          const [ids, titles, types, years] = [idColumn, titleColumn, typeColumn, yearColumn].map(
            (column) => new StringsReader(column, length),
          );
          const refs = intsBack(refColumn, length);
          const own = ownLists(ownColumn);
          for (let i = 0; i < length; i++) {
            const ref = refs[i]!;
            if (ref === OWN_AUTHOR ? !own.has(i) : ref < NO_AUTHOR || ref >= authors.size)
              throw new SnapshotShapeError('a snapshot names an unknown author list');
          }
          const again = () => [length, ids!.packed(), titles!.packed(), packInts(refs), [...own], types!.packed(), years!.packed()];
          segments.push({ first: books.size, length, again: { refs, listAt, items: again } });
          books.add(ids!, (i) => {
            const ref = refs[i]!;
            return {
              title: titles!.at(i) ?? undefined,
              author: ref === NO_AUTHOR ? undefined : ref === OWN_AUTHOR ? own.get(i) : listAt(ref),
              type: types!.at(i) ?? undefined,
              year: years!.at(i) ?? undefined,
            };
          });
          return;
        }
        case 'reads': {
          const [size, keyColumn, namedColumn, readAtColumn, readAtMsColumn, seqColumn, detailColumn] = tuple(items, 7);
          if (!Number.isSafeInteger(size) || (size as number) < 0) throw new SnapshotShapeError('a reads chunk has no count');
          const length = size as number;
          const [keys, readAts] = [keyColumn, readAtColumn].map((column) => new StringsReader(column, length));
          const named = intsBack(namedColumn, length);
          const readAtMs = new NumbersReader(readAtMsColumn, length);
          const seqs = new NumbersReader(seqColumn, length);
          const carried = new Map<number, BookDetails>();
          for (const item of list(detailColumn)) {
            const [at, value] = tuple(item, 2);
            carried.set(num(at), details(value));
          }
          for (let i = 0; i < length; i++) {
            if (named[i] !== NAMED && named[i] !== ANONYMOUS) throw new SnapshotShapeError('a read is neither named nor anonymous');
            if (readAts!.isNull(i) || Number.isNaN(readAtMs.at(i))) throw new SnapshotShapeError('a read has no time');
            if (!Number.isSafeInteger(seqs.at(i))) throw new SnapshotShapeError('a read has no arrival number');
          }
          const again = () => [length, keys!.packed(), packInts(named), readAts!.packed(), readAtMs.packed(), seqs.packed(), [...carried]];
          readSegments.push({ first: reads.size, length, again: { items: again } });
          reads.add(keys!, (i) => ({
            id: named[i] === NAMED ? keys!.at(i) : null,
            readAt: readAts!.at(i)!,
            readAtMs: readAtMs.at(i),
            seq: seqs.at(i),
            details: carried.get(i) ?? NO_DETAILS,
          }));
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
      authors.restore(view.authors);
      books.seal();
      reads.seal();
      if (books.size > 0) restoreSegments(view.books, books, segments);
      if (reads.size > 0) restoreSegments(view.reads, reads, readSegments);
      return view;
    },
  };
}
