/** The list-books view in snapshot chunks and back: rows column by column, author lists by index, removed ids. */
import type { Author } from '../events.js';
import type { BookStatus } from '../book/book.decider.js';
import type { BookRow, ListBooksView } from './list-books.projection.js';
import {
  authorTable,
  addAuthorLists,
  authorsBack,
  chunkOf,
  inChunks,
  num,
  numOrNull,
  SnapshotShapeError,
  str,
  stringColumn,
  stringsBack,
  tuple,
} from './snapshot-chunks.js';

export function* encodeListBooks(view: ListBooksView): Generator<unknown> {
  const authors = authorTable(view.authors);
  yield* inChunks(authors.entries, 'authors', (entry) => entry);
  // Column by column, strings joined or by table: a few long values parse faster, and leave less garbage, than a value per field.
  for (const rows of inChunks(view.books.values(), 'rows', (row) => row)) {
    const column = <K extends keyof BookRow>(key: K) => rows.items.map((row) => row[key]);
    const strings = (key: 'id' | 'title' | 'type' | 'year' | 'isbn' | 'status' | 'addedAt' | 'startedAt' | 'readAt') =>
      stringColumn(column(key));
    yield {
      kind: 'rows',
      items: [
        strings('id'),
        strings('title'),
        rows.items.map((row) => authors.ref(row.author)),
        strings('type'),
        strings('year'),
        strings('isbn'),
        strings('status'),
        column('rating'),
        column('readCount'),
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
  const lists: Author[][] = [];
  const author = authorsBack(lists);
  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'authors':
          addAuthorLists(items, view.authors, lists);
          return;
        case 'rows': {
          const [
            idColumn,
            titleColumn,
            authorRefs,
            typeColumn,
            yearColumn,
            isbnColumn,
            statusColumn,
            ratings,
            readCounts,
            addedColumn,
            startedColumn,
            readColumn,
          ] = tuple(items, 12);
          if (!Array.isArray(authorRefs) || !Array.isArray(ratings) || !Array.isArray(readCounts))
            throw new SnapshotShapeError('a rows chunk has a column that is not a list');
          const length = authorRefs.length;
          if (ratings.length !== length || readCounts.length !== length) throw new SnapshotShapeError('a rows chunk has a ragged column');
          const [ids, titles, types, years, isbns, statuses, addedAts, startedAts, readAts] = [
            idColumn,
            titleColumn,
            typeColumn,
            yearColumn,
            isbnColumn,
            statusColumn,
            addedColumn,
            startedColumn,
            readColumn,
          ].map((column) => stringsBack(column, length));
          for (let i = 0; i < length; i++) {
            const id = ids![i];
            const status = statuses![i] as BookStatus;
            if (typeof id !== 'string') throw new SnapshotShapeError('a row has no id');
            if (status !== 'unread' && status !== 'reading' && status !== 'read')
              throw new SnapshotShapeError('a row has an unknown status');
            const row: BookRow = {
              id,
              title: titles![i]!,
              author: author(authorRefs[i]),
              type: types![i]!,
              year: years![i]!,
              isbn: isbns![i]!,
              status,
              rating: numOrNull(ratings[i]),
              readCount: num(readCounts[i]),
              addedAt: addedAts![i]!,
              startedAt: startedAts![i]!,
              readAt: readAts![i]!,
            };
            view.books.set(id, row);
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
    view: (): ListBooksView => view,
  };
}
