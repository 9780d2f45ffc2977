/**
 * The list-books view in snapshot chunks and back: author lists, rows column by column, removed ids. Read back, the
 * columns stay packed and a row (or author list) is built the first time it is asked for: a restart checks every
 * value but makes no object per book. Written again, a restored chunk none of whose rows changed is copied from its
 * packed columns, and other packed rows are built for the pass only: a snapshot keeps no object per book either.
 */
import type { Author } from '../events.js';
import { authorChunks, authorChunksReader, ownLists } from './author-chunks.js';
import type { BookStatus } from '../book/book.decider.js';
import type { BookRow, ListBooksView } from './list-books.projection.js';
import { chunkOf, count, inChunks, SnapshotShapeError, str, tuple } from './snapshot-chunks.js';
import { intsBack, packInts, packNumbers, packStrings } from './packed-columns.js';
import { NumbersReader, StringsReader } from './packed-column-readers.js';
import { ChunkedEntries } from './packed-entries.js';
import { restoreSegments, snapshotRuns, type PackedSegment } from './packed-segments.js';

const NO_AUTHOR = -1;
/** The row's author list is not in the table (it was replaced there since): it is written with the row. */
const OWN_AUTHOR = -2;

/** A restored rows chunk: the author lists its refs name, as read, and its items again. */
interface RowsAgain {
  refs: Int32Array;
  listAt(index: number): Author[];
  items(): unknown[];
}

export function* encodeListBooks(view: ListBooksView): Generator<unknown> {
  const authors = authorChunks(view.authors);
  yield* authors.chunks();
  const { refOf, table } = authors;
  // A restored chunk none of whose rows changed, naming the same author lists at the same indexes, is written as it came.
  const rowsUnchanged = ({ first, length, again }: PackedSegment<RowsAgain>) => {
    if (!view.books.untouched(first, length)) return false;
    for (const ref of again.refs) if (ref >= 0 && table[ref] !== again.listAt(ref)) return false;
    return true;
  };
  for (const run of snapshotRuns(view.books, rowsUnchanged)) {
    if ('again' in run) {
      yield { kind: 'rows', items: run.again.items() };
      continue;
    }
    const rows = run.entries.map(([, row]) => row);
    const strings = (key: 'id' | 'title' | 'type' | 'year' | 'isbn' | 'status' | 'addedAt' | 'startedAt' | 'readAt') =>
      packStrings(rows.map((row) => row[key]));
    const own: [number, Author[]][] = [];
    const refs = rows.map((row, i) => {
      if (row.author == null) return NO_AUTHOR;
      const ref = refOf(row.author);
      if (ref !== undefined) return ref;
      own.push([i, row.author]);
      return OWN_AUTHOR;
    });
    yield {
      kind: 'rows',
      items: [
        rows.length,
        strings('id'),
        strings('title'),
        packInts(refs),
        own,
        strings('type'),
        strings('year'),
        strings('isbn'),
        strings('status'),
        packNumbers(rows.map((row) => row.rating)),
        packNumbers(rows.map((row) => row.readCount)),
        strings('addedAt'),
        strings('startedAt'),
        strings('readAt'),
      ],
    };
  }
  yield* inChunks(view.removed, 'removed', (id) => id);
}

export function listBooksDecoder(initial: () => ListBooksView) {
  const view = initial();
  const authors = authorChunksReader();
  const { listAt } = authors;
  const rowEntries = new ChunkedEntries<BookRow>();
  const rowSegments: PackedSegment<RowsAgain>[] = [];

  function addRows(items: unknown[]): void {
    const [size, ids, titles, refColumn, ownColumn, types, years, isbns, statusColumn, ratingColumn, readColumn, ...times] = tuple(
      items,
      14,
    );
    const length = count(size);
    const column = (value: unknown) => new StringsReader(value, length);
    const [id, title, type, year, isbn, status, addedAt, startedAt, readAt] = [
      ids,
      titles,
      types,
      years,
      isbns,
      statusColumn,
      ...times,
    ].map(column);
    const refs = intsBack(refColumn, length);
    const ratings = new NumbersReader(ratingColumn, length);
    const readCounts = new NumbersReader(readColumn, length);
    const own = ownLists(ownColumn);
    for (let i = 0; i < length; i++) {
      const ref = refs[i]!;
      if (ref === OWN_AUTHOR ? !own.has(i) : ref < NO_AUTHOR || ref >= authors.size)
        throw new SnapshotShapeError('a snapshot names an unknown author list');
      const value = status!.at(i);
      if (value !== 'unread' && value !== 'reading' && value !== 'read') throw new SnapshotShapeError('a row has an unknown status');
      if (Number.isNaN(readCounts.at(i))) throw new SnapshotShapeError('a row has no read count');
    }
    const again = (): unknown[] => [
      length,
      id!.packed(),
      title!.packed(),
      packInts(refs),
      [...own],
      type!.packed(),
      year!.packed(),
      isbn!.packed(),
      status!.packed(),
      ratings.packed(),
      readCounts.packed(),
      addedAt!.packed(),
      startedAt!.packed(),
      readAt!.packed(),
    ];
    rowSegments.push({ first: rowEntries.size, length, again: { refs, listAt, items: again } });
    rowEntries.add(id!, (i) => {
      const ref = refs[i]!;
      const rating = ratings.at(i);
      return {
        id: id!.at(i)!,
        title: title!.at(i),
        author: ref === NO_AUTHOR ? null : ref === OWN_AUTHOR ? own.get(i)! : listAt(ref),
        type: type!.at(i),
        year: year!.at(i),
        isbn: isbn!.at(i),
        status: status!.at(i) as BookStatus,
        rating: Number.isNaN(rating) ? null : rating,
        readCount: readCounts.at(i),
        addedAt: addedAt!.at(i),
        startedAt: startedAt!.at(i),
        readAt: readAt!.at(i),
      };
    });
  }

  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'authors':
          return authors.add(items);
        case 'rows':
          return addRows(items);
        case 'removed':
          for (const id of items) view.removed.add(str(id));
          return;
        default:
          throw new SnapshotShapeError(`unknown chunk kind ${kind}`);
      }
    },
    view(): ListBooksView {
      authors.restore(view.authors);
      rowEntries.seal();
      if (rowEntries.size > 0) restoreSegments(view.books, rowEntries, rowSegments);
      return view;
    },
  };
}
