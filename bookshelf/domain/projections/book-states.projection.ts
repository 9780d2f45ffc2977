/** What the `books` aggregate knows of every book, and of every command already in the log. */
import type { BookCommandType } from '../book/book.commands.js';
import { evolve as evolveBook, initialState, type BookState } from '../book/book.decider.js';
import type { BookDetails, BookEventType, RecordedEvent } from '../events.js';
import type { Projection } from '../projection.js';
import { bookStatesDecoder, encodeBookStates } from './book-states.snapshot.js';
import { SegmentMap } from './segment-map.js';

/** A command whose events are in the log, by its idempotency key: enough to answer it again. */
export interface RecordedCommand {
  /** Which command it was: a key answers again only for the same command. */
  kind: BookCommandType;
  aggregate: string;
  /** The digest of the request (method, route, body), when its events carry one. */
  fingerprint: string | null;
  /** The book as added, when the command added one. */
  added: (BookDetails & { id: string; title: string }) | null;
  /** Where its last event stands. */
  position: { partition: number; offset: number } | null;
}

export interface BookStates {
  /** Restored from a snapshot, each book's state is built when first asked for. */
  books: SegmentMap<BookState>;
  /** What the log holds under each idempotency key; what a key that comes again gets is app/idempotency-keys.ts's. */
  commands: Map<string, RecordedCommand>;
}

/** The command whose last event this is (finishing writes book-started, then book-read). */
const commandOf: Record<BookEventType, BookCommandType> = {
  'book-added': 'add-book',
  'book-started': 'start-book',
  'book-read': 'finish-book',
  'book-rated': 'rate-book',
  'book-removed': 'remove-book',
};

export const bookStatesProjection: Projection<BookStates> = {
  initialState: () => ({ books: new SegmentMap(), commands: new Map() }),
  // Bump `version` with any change to evolve: snapshots of another version are not used.
  snapshot: {
    name: 'book-states',
    version: 3,
    encode: encodeBookStates,
    decoder: () => bookStatesDecoder(() => bookStatesProjection.initialState()),
  },
  evolve(view, event: RecordedEvent) {
    const id = event.data.id;
    if (id === undefined) return view;
    view.books.set(id, evolveBook(view.books.get(id) ?? initialState(), event));
    const key = event.metadata.command;
    if (key !== null) {
      const command = view.commands.get(key) ?? {
        kind: commandOf[event.type],
        aggregate: id,
        fingerprint: event.metadata.fingerprint ?? null,
        added: null,
        position: null,
      };
      command.kind = commandOf[event.type];
      if (event.type === 'book-added') command.added = event.data;
      const position = event.metadata.position;
      if (position && (!command.position || position.offset > command.position.offset)) command.position = position;
      view.commands.set(key, command);
    }
    return view;
  },
};

export const bookState = (view: BookStates, id: string): BookState => view.books.get(id) ?? initialState();
