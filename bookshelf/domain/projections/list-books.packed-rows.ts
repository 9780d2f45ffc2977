/**
 * Rows of list-books packed in memory, behind the rows a snapshot gave back: a replayed shelf is held as a restored
 * one, at about a third of the bytes of its row objects, and a row is built again when it is asked for.
 */
import type { Author } from '../events.js';
import type { BookStatus } from '../book/book.decider.js';
import type { BookRow } from './list-books.projection.js';
import { NumberColumn, StringColumn } from './memory-columns.js';
import { ChunkedEntries } from './packed-entries.js';
import type { PackedEntries } from './segment-map.js';

type StringField = 'title' | 'type' | 'year' | 'isbn' | 'status' | 'addedAt' | 'startedAt' | 'readAt';

/** The columns of some rows; made apart from the function that builds a row, so that its closure holds no row. */
function columnsOf(ids: string[], rows: BookRow[]) {
  const strings = (key: StringField) => new StringColumn(rows.map((row) => row[key]));
  return {
    id: new StringColumn(ids),
    title: strings('title'),
    author: rows.map<Author[] | null>((row) => row.author),
    type: strings('type'),
    year: strings('year'),
    isbn: strings('isbn'),
    status: strings('status'),
    rating: new NumberColumn(rows.map((row) => row.rating)),
    readCount: new NumberColumn(rows.map((row) => row.readCount)),
    addedAt: strings('addedAt'),
    startedAt: strings('startedAt'),
    readAt: strings('readAt'),
  };
}

/** Appends `rows` (keyed by their ids, in their order) to the packed rows, or to new ones. */
export function packRows(packed: PackedEntries<BookRow> | undefined, ids: string[], rows: BookRow[]): PackedEntries<BookRow> {
  const entries = packed ?? new ChunkedEntries<BookRow>();
  if (!(entries instanceof ChunkedEntries)) throw new Error('list-books rows are packed behind chunked entries only');
  const { id, title, author, type, year, isbn, status, rating, readCount, addedAt, startedAt, readAt } = columnsOf(ids, rows);
  entries.add(id, (i) => ({
    id: id.at(i)!,
    title: title.at(i),
    author: author[i]!,
    type: type.at(i),
    year: year.at(i),
    isbn: isbn.at(i),
    status: status.at(i) as BookStatus,
    rating: rating.at(i),
    readCount: readCount.at(i)!,
    addedAt: addedAt.at(i),
    startedAt: startedAt.at(i),
    readAt: readAt.at(i),
  }));
  return entries;
}
