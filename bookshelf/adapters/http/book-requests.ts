/** Turns HTTP input into Book commands, or a 400 naming the field at fault. */
import { createHash } from 'node:crypto';
import type { AddBook, RateBook } from '../../domain/book/book.commands.js';
import { checkBookDetails, checkRating, isPlainObject, MAX_ID_LENGTH } from '../../domain/book-fields.js';
import { ProblemError } from './problem.js';

/** Ids travel in URLs: letters, digits and `._~:-`. */
const ID = new RegExp(`^[A-Za-z0-9._~:-]{1,${MAX_ID_LENGTH}}$`);
const KNOWN_BOOK_FIELDS = new Set(['id', 'title', 'author', 'type', 'year', 'isbn']);

const invalid = (field: string, problem: string): ProblemError => new ProblemError('invalid_body', `${field} ${problem}`, { field });

function bodyObject(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new ProblemError('invalid_body', 'body must be a JSON object', { field: '' });
  return body;
}

export function bookId(raw: string): string {
  if (!ID.test(raw)) throw new ProblemError('unknown_book', `no book ${JSON.stringify(raw.slice(0, 50))}`);
  return raw;
}

export function addBookCommand(body: unknown, newId: () => string): AddBook {
  const source = bodyObject(body);
  for (const key of Object.keys(source)) if (!KNOWN_BOOK_FIELDS.has(key)) throw invalid(key, 'is not a field of a book');
  if (typeof source.title !== 'string' || source.title.trim() === '') throw invalid('title', 'is required: a non-empty string');
  let id: string;
  if (source.id === undefined || source.id === null) id = newId();
  else if (typeof source.id === 'string' && ID.test(source.id)) id = source.id;
  else throw invalid('id', `must be 1 to ${MAX_ID_LENGTH} letters, digits or ._~:-`);
  const details = checkBookDetails(source);
  if (!details.ok) throw invalid(details.field, details.problem);
  return { type: 'add-book', data: { ...details.value, id, title: source.title } };
}

export function rateBookCommand(id: string, body: unknown): RateBook {
  const source = bodyObject(body);
  for (const key of Object.keys(source)) if (key !== 'rating') throw invalid(key, 'is not a field of a rating');
  const rating = checkRating(source.rating);
  if (!rating.ok) throw invalid(rating.field, rating.problem);
  return { type: 'rate-book', data: { id, rating: rating.value } };
}

/** Printable ASCII without spaces, 1 to 255 characters: the grammar the API description states. */
export const IDEMPOTENCY_KEY_PATTERN = '^[!-~]{1,255}$';
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/** The Idempotency-Key header, if given; given empty or malformed is refused. */
export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new ProblemError('invalid_body', 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces', {
      field: 'Idempotency-Key',
    });
  }
  return header;
}

const MAX_CANONICAL_DEPTH = 64;

/** JSON with its object keys in order: the same body however its keys were written (null when nested too deep). */
function canonical(value: unknown, depth = 0): string | null {
  if (depth > MAX_CANONICAL_DEPTH) return null;
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const part = canonical(item, depth + 1);
      if (part === null) return null;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value).sort()) {
      const part = canonical(value[key], depth + 1);
      if (part === null) return null;
      parts.push(`${JSON.stringify(key)}:${part}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A digest of what a keyed request asked for (method, route, body): the same key with another one is refused.
 * A body nested deeper than any book counts as the text it came in.
 */
export function requestFingerprint(method: string, path: string, body: unknown, rawBody = ''): string {
  const content = canonical(body ?? {}) ?? `raw:${rawBody}`;
  return createHash('sha256').update(`${method} ${path}\n${content}`).digest('base64url').slice(0, 22);
}

/**
 * The id a new book will have, when it can be known before the command runs: the body's, or one made from the
 * Idempotency-Key (a UUID from its hash), so that a retry reaches the same book on whichever instance owns it.
 */
export function newBookIdOf(body: unknown, key: string | undefined): string | undefined {
  const id = isPlainObject(body) ? body.id : undefined;
  if (typeof id === 'string') return ID.test(id) ? id : undefined;
  if (key === undefined) return undefined;
  const hex = createHash('sha256').update(`bookshelf:add-book:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
