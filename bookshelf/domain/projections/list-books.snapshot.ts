/** The list-books view in snapshot chunks and back: rows as arrays, author lists by index, removed ids. */
import type { Author } from '../events.js';
import type { BookStatus } from '../book/book.decider.js';
import type { BookRow, ListBooksView } from './list-books.projection.js';
import { authorTable, authorsBack, chunkOf, inChunks, num, numOrNull, SnapshotShapeError, str, strOrNull, tuple } from './snapshot-chunks.js';

export function* encodeListBooks(view: ListBooksView): Generator<unknown> {
  const authors = authorTable(view.authors);
  yield* inChunks(authors.entries, 'authors', (entry) => entry);
  // Column by column: a few long arrays parse faster, and leave less garbage, than a small array per row.
  for (const rows of inChunks(view.books.values(), 'rows', (row) => row)) {
    const column = <K extends keyof BookRow>(key: K) => rows.items.map((row) => row[key]);
    yield { kind: 'rows', items: [column('id'), column('title'), rows.items.map((row) => authors.ref(row.author)), column('type'), column('year'), column('isbn'), column('status'), column('rating'), column('readCount'), column('addedAt'), column('startedAt'), column('readAt')] };
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
          for (const item of items) {
            const [key, list] = tuple(item, 2);
            if (!Array.isArray(list)) throw new SnapshotShapeError('an author list is not a list');
            view.authors.set(str(key), list as Author[]);
            lists.push(list as Author[]);
          }
          return;
        case 'rows': {
          const [ids, titles, authorRefs, types, years, isbns, statuses, ratings, readCounts, addedAts, startedAts, readAts] = tuple(items, 12) as unknown[][];
          for (const column of items) if (!Array.isArray(column) || column.length !== ids!.length) throw new SnapshotShapeError('a rows chunk has a ragged column');
          for (let i = 0; i < ids!.length; i++) {
            const status = statuses![i] as BookStatus;
            if (status !== 'unread' && status !== 'reading' && status !== 'read') throw new SnapshotShapeError('a row has an unknown status');
            const row: BookRow = {
              id: str(ids![i]), title: strOrNull(titles![i]), author: author(authorRefs![i]), type: strOrNull(types![i]), year: strOrNull(years![i]), isbn: strOrNull(isbns![i]),
              status, rating: numOrNull(ratings![i]), readCount: num(readCounts![i]), addedAt: strOrNull(addedAts![i]), startedAt: strOrNull(startedAts![i]), readAt: strOrNull(readAts![i]),
            };
            view.books.set(row.id, row);
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
