/** The facts Bookshelf records about books, as they travel on the topic. */

export interface Author {
  name: string;
}

/** What is known of a book besides its id; every field optional except where an event says otherwise. */
export interface BookDetails {
  title?: string;
  author?: Author[];
  type?: string;
  year?: string;
  isbn?: string;
}

export type BookAdded = { type: 'book-added'; data: BookDetails & { id: string; title: string } };
export type BookStarted = { type: 'book-started'; data: { id: string } };
/** "Finished". Hand-pushed lines may carry no id and some details of the book. */
export type BookRead = { type: 'book-read'; data: BookDetails & { id?: string } };
export type BookRated = { type: 'book-rated'; data: { id: string; rating: number } };
export type BookRemoved = { type: 'book-removed'; data: { id: string } };

export type BookEvent = BookAdded | BookStarted | BookRead | BookRated | BookRemoved;
export type BookEventType = BookEvent['type'];

export const bookEventTypes: readonly BookEventType[] = ['book-added', 'book-started', 'book-read', 'book-rated', 'book-removed'];

/** Where and when an event was recorded; set by whoever appends it, never by the domain. */
export interface EventMetadata {
  /** Unique per event: de-duplication key. */
  eventId: string;
  /** ISO-8601 time the event happened. */
  created: string;
  /** The book the event belongs to, as set by the aggregate (null for hand-pushed lines). */
  aggregate: string | null;
  /** 1, 2, 3 … per book, as set by the aggregate. */
  version: number | null;
  /** The idempotency key of the command that caused it. */
  command: string | null;
  /** With a key: a digest of the request that carried it (method, route, body), so that another request with the same key is told apart. */
  fingerprint?: string | null;
  /** Where it stands in the log, once read from there. */
  position?: { partition: number; offset: number };
}

export type RecordedEvent<E extends BookEvent = BookEvent> = E & { metadata: EventMetadata };

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
