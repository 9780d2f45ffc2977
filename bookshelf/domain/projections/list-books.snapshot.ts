/** The list-books view in snapshot chunks and back: rows as arrays, author lists by index, removed ids. */
import type { Author } from '../events.js';
import type { BookStatus } from '../book/book.decider.js';
import type { BookRow, ListBooksView } from './list-books.projection.js';
import { authorTable, authorsBack, chunkOf, inChunks, num, numOrNull, SnapshotShapeError, str, strOrNull, tuple } from './snapshot-chunks.js';

const STATUSES: readonly BookStatus[] = ['unread', 'reading', 'read'];

export function* encodeListBooks(view: ListBooksView): Generator<unknown> {
  const authors = authorTable(view.authors);
  yield* inChunks(authors.entries, 'authors', (entry) => entry);
  yield* inChunks(view.books.values(), 'rows', (row) => [
    row.id, row.title, authors.ref(row.author), row.type, row.year, row.isbn, row.status, row.rating, row.readCount, row.addedAt, row.startedAt, row.readAt,
  ]);
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
        case 'rows':
          for (const item of items) {
            const f = tuple(item, 12);
            const status = f[6] as BookStatus;
            if (!STATUSES.includes(status)) throw new SnapshotShapeError('a row has an unknown status');
            const row: BookRow = {
              id: str(f[0]), title: strOrNull(f[1]), author: author(f[2]), type: strOrNull(f[3]), year: strOrNull(f[4]), isbn: strOrNull(f[5]),
              status, rating: numOrNull(f[7]), readCount: num(f[8]), addedAt: strOrNull(f[9]), startedAt: strOrNull(f[10]), readAt: strOrNull(f[11]),
            };
            view.books.set(row.id, row);
          }
          return;
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
