import { describe, expect, it } from 'vitest';
import {
  getBook,
  listBooks,
  listBooksProjection,
  type BookRow,
  type ListBooksView,
} from '../../bookshelf/domain/projections/list-books.projection.js';
import { bookAdded, bookRated, bookRead, bookRemoved, bookStarted } from '../support/events.js';
import { projectionSpec } from '../support/projection-spec.js';

const given = projectionSpec(listBooksProjection);
const all = (view: ListBooksView) => listBooks(view);
const ids = (status?: BookRow['status']) => (view: ListBooksView) =>
  listBooks(view, status === undefined ? {} : { status }).map((row) => row.id);
const book = (id: string) => (view: ListBooksView) => getBook(view, id);
const at = (minutes: number) => new Date(Date.parse('2026-11-22T10:00:00.000Z') + minutes * 60_000).toISOString();

const unread = {
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
} satisfies Omit<BookRow, 'id'>;

describe('list-books projection', () => {
  describe('when nothing happened', () => {
    it('lists nothing', () => given().then(all, []));
    it('finds no book', () => given().then(book('b1'), undefined));
  });

  describe('when books were added', () => {
    it('lists each with its details, unread and unrated', () =>
      given(
        bookAdded(
          'b1',
          { title: '1984', author: [{ name: 'George Orwell' }], type: 'novel', year: '1949', isbn: '978-0451524935' },
          { at: 1 },
        ),
      ).then(all, [
        {
          id: 'b1',
          title: '1984',
          author: [{ name: 'George Orwell' }],
          type: 'novel',
          year: '1949',
          isbn: '978-0451524935',
          status: 'unread',
          rating: null,
          readCount: 0,
          addedAt: at(1),
          startedAt: null,
          readAt: null,
        },
      ]));

    it('lists them in the order they were added', () =>
      given(
        bookAdded('c', { title: 'C' }, { at: 1 }),
        bookAdded('a', { title: 'A' }, { at: 2 }),
        bookAdded('b', { title: 'B' }, { at: 3 }),
      ).then(ids(), ['c', 'a', 'b']));

    it('keeps the first book-added of an id: an id is added once', () =>
      given(bookAdded('b1', { title: 'Dune' }, { at: 1 }), bookAdded('b1', { title: 'Other' }, { at: 2 })).then(book('b1'), {
        ...unread,
        id: 'b1',
        title: 'Dune',
        addedAt: at(1),
      }));
  });

  describe('when a book is being read', () => {
    it('shows it reading, since when', () =>
      given(bookAdded('b1', { title: 'Dune' }, { at: 1 }), bookStarted('b1', { at: 2 })).then(book('b1'), {
        ...unread,
        id: 'b1',
        title: 'Dune',
        status: 'reading',
        addedAt: at(1),
        startedAt: at(2),
      }));
  });

  describe('when a book was read and rated', () => {
    it('shows it read, when, how often, and its rating', () =>
      given(
        bookAdded('b1', { title: 'Dune' }, { at: 1 }),
        bookStarted('b1', { at: 2 }),
        bookRead('b1', { at: 3 }),
        bookRated('b1', 4, { at: 4 }),
      ).then(book('b1'), {
        ...unread,
        id: 'b1',
        title: 'Dune',
        status: 'read',
        rating: 4,
        readCount: 1,
        addedAt: at(1),
        startedAt: at(2),
        readAt: at(3),
      }));

    it('keeps the latest rating', () =>
      given(
        bookAdded('b1', { title: 'Dune' }, { at: 1 }),
        bookRead('b1', { at: 2 }),
        bookRated('b1', 2, { at: 3 }),
        bookRated('b1', 5, { at: 4 }),
      ).then((view) => getBook(view, 'b1')?.rating, 5));
  });

  describe('when a book is read again', () => {
    const history = [
      bookAdded('b1', { title: 'Dune' }, { at: 1 }),
      bookStarted('b1', { at: 2 }),
      bookRead('b1', { at: 3 }),
      bookRated('b1', 4, { at: 4 }),
    ];

    it('shows it reading again, keeping its count and rating', () =>
      given(...history, bookStarted('b1', { at: 5 })).then(book('b1'), {
        ...unread,
        id: 'b1',
        title: 'Dune',
        status: 'reading',
        rating: 4,
        readCount: 1,
        addedAt: at(1),
        startedAt: at(5),
        readAt: at(3),
      }));

    it('counts the second read and shows its time', () =>
      given(...history, bookStarted('b1', { at: 5 }), bookRead('b1', { at: 6 })).then(
        (view) => {
          const row = getBook(view, 'b1');
          return [row?.status, row?.readCount, row?.readAt];
        },
        ['read', 2, at(6)],
      ));
  });

  describe('when filtered by status', () => {
    const shelf = [
      bookAdded('unread', { title: 'U' }, { at: 1 }),
      bookAdded('reading', { title: 'R' }, { at: 2 }),
      bookAdded('read', { title: 'D' }, { at: 3 }),
      bookAdded('reading-2', { title: 'R2' }, { at: 4 }),
      bookStarted('reading', { at: 5 }),
      bookStarted('read', { at: 6 }),
      bookRead('read', { at: 7 }),
      bookStarted('reading-2', { at: 8 }),
    ];

    it('lists only unread books', () => given(...shelf).then(ids('unread'), ['unread']));
    it('lists only books being read, in order', () => given(...shelf).then(ids('reading'), ['reading', 'reading-2']));
    it('lists only read books', () => given(...shelf).then(ids('read'), ['read']));
    it('lists all without a status', () => given(...shelf).then(ids(), ['unread', 'reading', 'read', 'reading-2']));
  });

  describe('when a book was removed', () => {
    const history = [
      bookAdded('a', { title: 'A' }, { at: 1 }),
      bookAdded('b', { title: 'B' }, { at: 2 }),
      bookRead('a', { at: 3 }),
      bookRemoved('a', { at: 4 }),
    ];

    it('leaves it out of the list', () => given(...history).then(ids(), ['b']));
    it('leaves it out of the list by status', () => given(...history).then(ids('read'), []));
    it('finds it no more', () => given(...history).then(book('a'), undefined));
    it('leaves it out even when read again by a line pushed after the removal', () =>
      given(...history, bookRead('a', { at: 5 }, { title: 'A' }), bookRated('a', 5, { at: 6 })).then(ids(), ['b']));
  });

  describe('when a line is about a book never added (pushed by hand)', () => {
    it('shows a read book with the details the line carries', () =>
      given(bookRead('b9', { at: 1 }, { title: 'Dune', author: [{ name: 'Frank Herbert' }] })).then(all, [
        { ...unread, id: 'b9', title: 'Dune', author: [{ name: 'Frank Herbert' }], status: 'read', readCount: 1, readAt: at(1) },
      ]));

    it('shows it with no title when the line names none', () =>
      given(bookStarted('b9', { at: 1 })).then(all, [{ ...unread, id: 'b9', status: 'reading', startedAt: at(1) }]));

    it('takes the details of a later book-added over those of the line', () =>
      given(bookRead('b9', { at: 1 }, { title: 'dune', year: '1965' }), bookAdded('b9', { title: 'Dune', type: 'novel' }, { at: 2 })).then(
        book('b9'),
        {
          ...unread,
          id: 'b9',
          title: 'Dune',
          type: 'novel',
          year: '1965',
          status: 'read',
          readCount: 1,
          addedAt: at(2),
          readAt: at(1),
        },
      ));

    it('does not let a read line overwrite the details of an added book', () =>
      given(bookAdded('b1', { title: 'Dune' }, { at: 1 }), bookRead('b1', { at: 2 }, { title: 'dune', isbn: '123' })).then(
        (view) => [getBook(view, 'b1')?.title, getBook(view, 'b1')?.isbn],
        ['Dune', '123'],
      ));

    it('ignores a read that names no book', () => given(bookRead(undefined, { at: 1 }, { title: 'Dune' })).then(all, []));

    it('does not list a book whose only line is its removal', () =>
      given(bookRemoved('b9', { at: 1 }), bookAdded('b9', { title: 'Dune' }, { at: 2 })).then(all, []));
  });

  describe('when a book is listed', () => {
    it("shares the view's row rather than copying it", () => {
      const { view } = given(bookAdded('b1', { title: 'Dune' }, { at: 1 }));
      expect(listBooks(view)[0]).toBe(getBook(view, 'b1'));
    });
  });
});
