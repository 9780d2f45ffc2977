/** Builders of recorded events for tests, with ids and times that are easy to read. */
import type { BookDetails, BookEvent, RecordedEvent } from '../../bookshelf/domain/events.js';

let counter = 0;

export interface At {
  /** ISO time, or minutes after 2026-11-22T10:00Z. */
  at?: string | number;
  eventId?: string;
  aggregate?: string;
  version?: number;
  command?: string;
}

const base = Date.parse('2026-11-22T10:00:00.000Z');
const time = (at: string | number | undefined): string =>
  typeof at === 'string' ? at : new Date(base + (at ?? counter) * 60_000).toISOString();

export function recorded<E extends BookEvent>(event: E, at: At = {}): RecordedEvent<E> {
  counter++;
  return {
    ...event,
    metadata: {
      eventId: at.eventId ?? `event-${counter}`,
      created: time(at.at),
      aggregate: at.aggregate ?? null,
      version: at.version ?? null,
      command: at.command ?? null,
    },
  };
}

export const bookAdded = (id: string, details: BookDetails & { title: string }, at?: At) =>
  recorded({ type: 'book-added', data: { id, ...details } }, at);
export const bookStarted = (id: string, at?: At) => recorded({ type: 'book-started', data: { id } }, at);
export const bookRead = (id: string | undefined, at?: At, details: BookDetails = {}) =>
  recorded({ type: 'book-read', data: id === undefined ? details : { id, ...details } }, at);
export const bookRated = (id: string, rating: number, at?: At) => recorded({ type: 'book-rated', data: { id, rating } }, at);
export const bookRemoved = (id: string, at?: At) => recorded({ type: 'book-removed', data: { id } }, at);

/** 2,100 books with authors and years, every fourth read and rated: three chunks of a snapshot. */
export const chunkedShelf: RecordedEvent[] = Array.from({ length: 2100 }, (_, n) => [
  bookAdded(`b${n}`, { title: `Title ${n}`, author: [{ name: `Author ${n % 13}` }], year: String(1900 + (n % 50)) }),
  ...(n % 4 === 0 ? [bookRead(`b${n}`), bookRated(`b${n}`, 1 + (n % 5))] : []),
]).flat();
