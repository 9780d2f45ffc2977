/** Every book on the shelf with its status; removed books left out. */
import type { Author, BookDetails, RecordedEvent } from '../events.js';
import { assertNever } from '../events.js';
import type { BookStatus } from '../book/book.decider.js';
import type { Projection } from '../projection.js';
import { sharedAuthors } from './author-lists.js';
import { encodeListBooks, listBooksDecoder } from './list-books.snapshot.js';
import { packRows } from './list-books.packed-rows.js';
import { SegmentMap } from './segment-map.js';

export type { BookStatus };

/** One row per book, always the same shape (one hidden class), null where nothing is known yet. */
export interface BookRow {
  id: string;
  title: string | null;
  author: Author[] | null;
  type: string | null;
  year: string | null;
  isbn: string | null;
  status: BookStatus;
  rating: number | null;
  readCount: number;
  addedAt: string | null;
  startedAt: string | null;
  readAt: string | null;
}

export interface ListBooksView {
  /** In the order the view first heard of each book; restored from a snapshot, each row is built when first asked for. */
  books: SegmentMap<BookRow>;
  /** Ids of removed books, so a later line about them does not bring them back. */
  removed: Set<string>;
  /** One array per distinct author list, shared by every row that has it: a shelf holds many books per author. */
  authors: SegmentMap<Author[]>;
}

/** Rows held as objects before they are packed behind the others: few enough to die young, enough to pack cheaply. */
export const PACK_EVERY = 4096;

export interface ListBooksQuery {
  status?: BookStatus;
}

export const listBooksProjection: Projection<ListBooksView> = {
  initialState: () => ({ books: new SegmentMap(), removed: new Set(), authors: new SegmentMap() }),
  // Bump `version` with any change to evolve: snapshots of another version are not used.
  snapshot: {
    name: 'list-books',
    version: 3,
    encode: encodeListBooks,
    decoder: () => listBooksDecoder(() => listBooksProjection.initialState()),
  },

  evolve(view, event: RecordedEvent) {
    applyEvent(view, event);
    if (view.books.unpackedSize >= PACK_EVERY) view.books.packUnpacked(packRows);
    return view;
  },
};

function applyEvent(view: ListBooksView, event: RecordedEvent): ListBooksView {
  const id = event.data.id;
  // A read naming no book is a seed line for last-read; there is no row to put it on.
  if (id === undefined || view.removed.has(id)) return view;
  const at = event.metadata.created;
  switch (event.type) {
    case 'book-added': {
      const row = rowOf(view, id);
      // An id is added once: a second book-added (hand-pushed) changes nothing.
      if (row.addedAt !== null) return view;
      row.addedAt = at;
      fillDetails(view, row, event.data, true);
      return view;
    }
    case 'book-started': {
      const row = rowOf(view, id);
      row.status = 'reading';
      row.startedAt = at;
      return view;
    }
    case 'book-read': {
      const row = rowOf(view, id);
      row.status = 'read';
      row.readCount++;
      row.readAt = at;
      // A hand-pushed read may carry the details of a book never added; book-added ones win.
      fillDetails(view, row, event.data, false);
      return view;
    }
    case 'book-rated':
      rowOf(view, id).rating = event.data.rating;
      return view;
    case 'book-removed':
      view.books.delete(id);
      view.removed.add(id);
      return view;
    default:
      return assertNever(event);
  }
}

/** The book's row; a line about a book never added (pushed by hand) still puts it on the shelf. */
function rowOf(view: ListBooksView, id: string): BookRow {
  let row = view.books.get(id);
  if (row === undefined) {
    row = {
      id,
      title: null,
      author: null,
      type: null,
      year: null,
      isbn: null,
      status: 'unread',
      rating: null,
      readCount: 0,
      addedAt: null,
      startedAt: null,
      readAt: null,
    };
    view.books.set(id, row);
  }
  return row;
}

/** Keeps the event's values themselves, not copies: the event is dropped after evolve. */
function fillDetails(view: ListBooksView, row: BookRow, details: BookDetails, overwrite: boolean): void {
  if (details.title !== undefined && (overwrite || row.title === null)) row.title = details.title;
  if (details.author !== undefined && (overwrite || row.author === null)) row.author = sharedAuthors(view.authors, details.author);
  if (details.type !== undefined && (overwrite || row.type === null)) row.type = details.type;
  if (details.year !== undefined && (overwrite || row.year === null)) row.year = details.year;
  if (details.isbn !== undefined && (overwrite || row.isbn === null)) row.isbn = details.isbn;
}

/**
 * The books on the shelf, in the order the view first heard of each; the rows are the view's own, not copies, but
 * those still packed are built for this list only, so that reading the whole shelf does not unpack it.
 */
export function listBooks(view: ListBooksView, query: ListBooksQuery = {}): readonly Readonly<BookRow>[] {
  const { status } = query;
  if (status === undefined) return Array.from(view.books.peekValues());
  const rows: BookRow[] = [];
  for (const row of view.books.peekValues()) if (row.status === status) rows.push(row);
  return rows;
}

export const getBook = (view: ListBooksView, id: string): Readonly<BookRow> | undefined => view.books.get(id);
