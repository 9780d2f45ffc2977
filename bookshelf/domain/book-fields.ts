/** Validation of a book's fields, shared by events on the topic and command bodies over HTTP. */
import type { Author, BookDetails } from './events.js';

export const MAX_TEXT_LENGTH = 1000;
export const MAX_AUTHORS = 100;
export const MAX_ID_LENGTH = 200;

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; problem: string };

const fail = (field: string, problem: string): { ok: false; field: string; problem: string } => ({
  ok: false,
  field,
  problem,
});

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkText(value: unknown, field: string): Checked<string> {
  if (typeof value !== 'string') return fail(field, 'must be a string');
  if (value.length > MAX_TEXT_LENGTH) return fail(field, `must be at most ${MAX_TEXT_LENGTH} characters`);
  return { ok: true, value };
}

export function checkId(value: unknown, field = 'id'): Checked<string> {
  if (typeof value !== 'string' || value.length === 0) return fail(field, 'must be a non-empty string');
  if (value.length > MAX_ID_LENGTH) return fail(field, `must be at most ${MAX_ID_LENGTH} characters`);
  return { ok: true, value };
}

/** `author` is an array of `{name}`; a plain string is read as one author. */
function checkAuthors(value: unknown, field: string): Checked<Author[]> {
  if (typeof value === 'string') {
    return value.length > MAX_TEXT_LENGTH
      ? fail(field, `must be at most ${MAX_TEXT_LENGTH} characters`)
      : { ok: true, value: [{ name: value }] };
  }
  if (!Array.isArray(value)) return fail(field, 'must be an array of {"name": string} or a string');
  if (value.length > MAX_AUTHORS) return fail(field, `must have at most ${MAX_AUTHORS} authors`);
  // Sized up front: push() would reserve room for more authors than a book has, in every book kept.
  const authors = new Array<Author>(value.length);
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    const name = isPlainObject(entry) ? checkText(entry.name, `${field}[${i}].name`) : fail(`${field}[${i}]`, 'must be {"name": string}');
    if (!name.ok) return name;
    authors[i] = { name: name.value };
  }
  return { ok: true, value: authors };
}

/** `year` is text ("1949", "c. 1200"); a whole number is accepted and kept as text. */
function checkYear(value: unknown, field: string): Checked<string> {
  if (typeof value === 'number' && Number.isInteger(value)) return { ok: true, value: String(value) };
  return checkText(value, field);
}

/**
 * Reads the optional details of a book from `source`. Absent and null fields are left out;
 * a field of the wrong type is an error naming it.
 */
export function checkBookDetails(source: Record<string, unknown>, prefix = ''): Checked<BookDetails> {
  const details: BookDetails = {};
  if (source.title != null) {
    const title = checkText(source.title, `${prefix}title`);
    if (!title.ok) return title;
    details.title = title.value;
  }
  if (source.author != null) {
    const author = checkAuthors(source.author, `${prefix}author`);
    if (!author.ok) return author;
    details.author = author.value;
  }
  if (source.type != null) {
    const type = checkText(source.type, `${prefix}type`);
    if (!type.ok) return type;
    details.type = type.value;
  }
  if (source.year != null) {
    const year = checkYear(source.year, `${prefix}year`);
    if (!year.ok) return year;
    details.year = year.value;
  }
  if (source.isbn != null) {
    const isbn = checkText(source.isbn, `${prefix}isbn`);
    if (!isbn.ok) return isbn;
    details.isbn = isbn.value;
  }
  return { ok: true, value: details };
}

export function checkRating(value: unknown, field = 'rating'): Checked<number> {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 5) {
    return fail(field, 'must be an integer from 1 to 5');
  }
  return { ok: true, value };
}
