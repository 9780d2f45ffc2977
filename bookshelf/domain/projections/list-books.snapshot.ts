/**
 * The list-books view in snapshot chunks and back: author lists, rows column by column, removed ids. Read back, the
 * columns stay packed and a row (or author list) is built the first time it is asked for: a restart checks every
 * value but makes no object per book.
 */
import type { Author } from '../events.js';
import type { BookStatus } from '../book/book.decider.js';
import type { BookRow, ListBooksView } from './list-books.projection.js';
import { authorTable, chunkOf, inChunks, num, SnapshotShapeError, str, tuple } from './snapshot-chunks.js';
import { intsBack, numbersBack, packInts, packNumbers, packStrings, StringsReader } from './packed-columns.js';
import { ChunkedEntries } from './packed-entries.js';

const NO_AUTHOR = -1;
/** The row's author list is not in the table (it was replaced there since): it is written with the row. */
const OWN_AUTHOR = -2;

/** The list an author-table key stands for when each author is only a name, as `sharedAuthors` makes keys. */
const listOfKey = (key: string): Author[] => key.split('\u0000').map((name) => ({ name }));

function authorList(value: unknown): Author[] {
  if (!Array.isArray(value) || value.some((author) => typeof (author as Author | null)?.name !== 'string'))
    throw new SnapshotShapeError('an author list is not a list of authors');
  return value as Author[];
}

export function* encodeListBooks(view: ListBooksView): Generator<unknown> {
  const authors = authorTable(view.authors);
  for (const { items } of inChunks(authors.entries, 'authors', (entry) => entry)) {
    const lists = items.map(([key, list]) => (JSON.stringify(list) === JSON.stringify(listOfKey(key)) ? null : JSON.stringify(list)));
    yield { kind: 'authors', items: [items.length, packStrings(items.map(([key]) => key)), packStrings(lists)] };
  }
  for (const { items: rows } of inChunks(view.books.values(), 'rows', (row) => row)) {
    const strings = (key: 'id' | 'title' | 'type' | 'year' | 'isbn' | 'status' | 'addedAt' | 'startedAt' | 'readAt') =>
      packStrings(rows.map((row) => row[key]));
    const own: [number, Author[]][] = [];
    const refs = rows.map((row, i) => {
      const ref = authors.ref(row.author);
      if (ref === null) return NO_AUTHOR;
      if (typeof ref === 'number') return ref;
      own.push([i, ref]);
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

const count = (value: unknown): number => {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new SnapshotShapeError('a chunk has no count');
  return value as number;
};

export function listBooksDecoder(initial: () => ListBooksView) {
  const view = initial();
  const authorEntries = new ChunkedEntries<Author[]>();
  const rowEntries = new ChunkedEntries<BookRow>();
  /** Author lists by their index in the table, each built once and shared by every row that names it. */
  const lists: (Author[] | undefined)[] = [];
  const explicitLists = new Map<number, Author[]>();
  const listAt = (index: number): Author[] => (lists[index] ??= explicitLists.get(index) ?? listOfKey(authorEntries.keyAt(index)));

  function addAuthors(items: unknown[]): void {
    const [size, keyColumn, listColumn] = tuple(items, 3);
    const length = count(size);
    const keys = new StringsReader(keyColumn, length);
    const explicit = new StringsReader(listColumn, length);
    const first = authorEntries.size;
    for (let i = 0; i < length; i++) {
      const text = explicit.at(i);
      if (text === null) continue;
      try {
        explicitLists.set(first + i, authorList(JSON.parse(text)));
      } catch (error) {
        throw new SnapshotShapeError(`an author list is not JSON: ${(error as Error).message}`);
      }
    }
    authorEntries.add(keys, (local) => listAt(first + local));
  }

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
    const ratings = numbersBack(ratingColumn, length);
    const readCounts = numbersBack(readColumn, length);
    if (!Array.isArray(ownColumn)) throw new SnapshotShapeError('a rows chunk has no list of own authors');
    const own = new Map<number, Author[]>();
    for (const item of ownColumn as unknown[]) {
      const [at, list] = tuple(item, 2);
      own.set(num(at), authorList(list));
    }
    for (let i = 0; i < length; i++) {
      const ref = refs[i]!;
      if (ref === OWN_AUTHOR ? !own.has(i) : ref < NO_AUTHOR || ref >= authorEntries.size)
        throw new SnapshotShapeError('a snapshot names an unknown author list');
      const value = status!.at(i);
      if (value !== 'unread' && value !== 'reading' && value !== 'read') throw new SnapshotShapeError('a row has an unknown status');
      if (Number.isNaN(readCounts[i])) throw new SnapshotShapeError('a row has no read count');
    }
    rowEntries.add(id!, (i) => {
      const ref = refs[i]!;
      const rating = ratings[i]!;
      return {
        id: id!.at(i)!,
        title: title!.at(i),
        author: ref === NO_AUTHOR ? null : ref === OWN_AUTHOR ? own.get(i)! : listAt(ref),
        type: type!.at(i),
        year: year!.at(i),
        isbn: isbn!.at(i),
        status: status!.at(i) as BookStatus,
        rating: Number.isNaN(rating) ? null : rating,
        readCount: readCounts[i]!,
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
          return addAuthors(items);
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
      if (authorEntries.size > 0) view.authors.restorePacked(authorEntries);
      if (rowEntries.size > 0) view.books.restorePacked(rowEntries);
      return view;
    },
  };
}
