/** The rules of one book: which commands are allowed, and which events they record. Pure. */
import type { BookEvent } from '../events.js';
import { assertNever } from '../events.js';
import type { BookCommand } from './book.commands.js';
import { BookError } from './book.errors.js';

export type BookStatus = 'unread' | 'reading' | 'read';
export const bookStatuses: readonly BookStatus[] = ['unread', 'reading', 'read'];

export type AbsentBook = { status: 'absent'; version: 0 };

export type KnownBook = {
  status: BookStatus;
  removed: boolean;
  /** Events applied to this book so far: the next one appended is version + 1. */
  version: number;
  /** How many times the book was finished. */
  readCount: number;
  rating: number | null;
};

export type BookState = AbsentBook | KnownBook;

export const initialState = (): BookState => ({ status: 'absent', version: 0 });

const unread = (): KnownBook => ({ status: 'unread', removed: false, version: 0, readCount: 0, rating: null });

export function evolve(state: BookState, event: BookEvent): BookState {
  // Any fact about an id makes the book known, even one never added (a hand-pushed line): the views show it too.
  const book = state.status === 'absent' ? unread() : state;
  const version = book.version + 1;
  switch (event.type) {
    case 'book-added':
      return { ...book, version };
    case 'book-started':
      return { ...book, status: 'reading', version };
    case 'book-read':
      return { ...book, status: 'read', readCount: book.readCount + 1, version };
    case 'book-rated':
      return { ...book, rating: event.data.rating, version };
    case 'book-removed':
      return { ...book, removed: true, version };
    default:
      return assertNever(event);
  }
}

export function decide(command: BookCommand, state: BookState): BookEvent[] {
  const { id } = command.data;
  switch (command.type) {
    case 'add-book':
      // An id is added once: a removed book keeps its id.
      if (state.status !== 'absent') throw new BookError('book_exists', `book ${id} already exists`);
      return [{ type: 'book-added', data: { ...command.data } }];
    case 'start-book': {
      const book = onShelf(state, id);
      // Starting a book being read changes nothing; starting a read book begins a re-read.
      return book.status === 'reading' ? [] : [{ type: 'book-started', data: { id } }];
    }
    case 'finish-book': {
      const book = onShelf(state, id);
      const read: BookEvent = { type: 'book-read', data: { id } };
      // The start is implied: an unread book, or a read one being read again, is started then finished.
      return book.status === 'reading' ? [read] : [{ type: 'book-started', data: { id } }, read];
    }
    case 'rate-book': {
      const book = onShelf(state, id);
      if (book.readCount === 0) throw new BookError('not_read_yet', `book ${id} has not been read yet`);
      return [{ type: 'book-rated', data: { id, rating: command.data.rating } }];
    }
    case 'remove-book':
      onShelf(state, id);
      return [{ type: 'book-removed', data: { id } }];
    default:
      return assertNever(command);
  }
}

/** The book, if it is on the shelf; otherwise why not. */
function onShelf(state: BookState, id: string): KnownBook {
  if (state.status === 'absent') throw new BookError('unknown_book', `no book ${id}`);
  if (state.removed) throw new BookError('book_removed', `book ${id} was removed`);
  return state;
}

export const foldBook = (events: readonly BookEvent[]): BookState => events.reduce(evolve, initialState());
