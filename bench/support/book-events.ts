/**
 * Event lines as the `books` aggregate writes them (the full envelope), keyed by book id,
 * generated deterministically apart from the event ids.
 */
import { randomUUID } from 'node:crypto';

const START_MS = Date.parse('2026-01-01T00:00:00.000Z');
const TYPES = ['novel', 'essay', 'poetry', 'biography', 'history'];
/** About eight books per author on a shelf of a million. */
const AUTHORS = 125_000;

export const bookId = (n: number): string => `book-${n.toString(36).padStart(5, '0')}`;

function envelope(name: string, n: number, version: number, at: number, payload: object): string {
  const id = bookId(n);
  const value = {
    id: randomUUID(),
    name,
    created: new Date(START_MS + at * 1000).toISOString(),
    safe: false,
    idempotent: false,
    aggregate: id,
    version,
    command: null,
    payload: { id, ...payload },
  };
  return `${id}\t${JSON.stringify(value)}`;
}

export const bookAddedLine = (n: number, at = n): string =>
  envelope('book-added', n, 1, at, {
    title: `Title of book ${n}`,
    author: [{ name: `Author ${n % AUTHORS}` }],
    type: TYPES[n % TYPES.length],
    year: String(1900 + (n % 125)),
  });

export const bookReadLine = (n: number, at = n): string => envelope('book-read', n, 2, at, {});

/** The replay topic: each book added, then read, `count` events in all (half books, half reads). */
export const replayLine = (i: number): string => (i % 2 === 0 ? bookAddedLine(i >> 1, i) : bookReadLine(i >> 1, i));

/** The shelf topic: `count` books added, one event each. */
export const shelfLine = (i: number): string => bookAddedLine(i);
