import { describe, expect, it } from 'vitest';
import type { BookCommand } from '../../bookshelf/domain/book/book.commands.js';
import { evolve, foldBook, initialState } from '../../bookshelf/domain/book/book.decider.js';
import type { BookDetails, BookEvent } from '../../bookshelf/domain/events.js';
import { given } from '../support/decider-spec.js';

const dune = { title: 'Dune', author: [{ name: 'Frank Herbert' }], type: 'novel', year: '1965', isbn: '978-0441013593' };

// Events as the decider makes them: no metadata, which the app layer adds when it appends.
const added = (details: BookDetails & { title: string } = dune): BookEvent => ({ type: 'book-added', data: { id: 'b1', ...details } });
const started: BookEvent = { type: 'book-started', data: { id: 'b1' } };
const read: BookEvent = { type: 'book-read', data: { id: 'b1' } };
const rated = (rating: number): BookEvent => ({ type: 'book-rated', data: { id: 'b1', rating } });
const removed: BookEvent = { type: 'book-removed', data: { id: 'b1' } };

const addBook = (details: BookDetails & { title: string } = dune): BookCommand => ({ type: 'add-book', data: { id: 'b1', ...details } });
const startBook: BookCommand = { type: 'start-book', data: { id: 'b1' } };
const finishBook: BookCommand = { type: 'finish-book', data: { id: 'b1' } };
const rateBook = (rating: number): BookCommand => ({ type: 'rate-book', data: { id: 'b1', rating } });
const removeBook: BookCommand = { type: 'remove-book', data: { id: 'b1' } };

describe('Book decider', () => {
  describe('when the book was never added', () => {
    it('adds it with all its details', () => given([]).when(addBook()).then([added()]));

    it('adds it with only a title', () =>
      given([])
        .when(addBook({ title: 'Emma' }))
        .then([{ type: 'book-added', data: { id: 'b1', title: 'Emma' } }]));

    it('refuses to start it', () => given([]).when(startBook).thenThrows('unknown_book'));
    it('refuses to finish it', () => given([]).when(finishBook).thenThrows('unknown_book'));
    it('refuses to rate it', () => given([]).when(rateBook(4)).thenThrows('unknown_book'));
    it('refuses to remove it', () => given([]).when(removeBook).thenThrows('unknown_book'));
  });

  describe('when the book is unread', () => {
    it('refuses to add it again', () =>
      given([added()])
        .when(addBook({ title: 'Other' }))
        .thenThrows('book_exists'));
    it('starts it', () => given([added()]).when(startBook).then([started]));
    it('finishes it, the start implied', () => given([added()]).when(finishBook).then([started, read]));
    it('refuses to rate it', () => given([added()]).when(rateBook(4)).thenThrows('not_read_yet'));
    it('removes it', () => given([added()]).when(removeBook).then([removed]));
  });

  describe('when the book is being read', () => {
    it('starting it again changes nothing', () => given([added(), started]).when(startBook).then([]));
    it('finishes it', () => given([added(), started]).when(finishBook).then([read]));
    it('refuses to rate it before it is finished', () => given([added(), started]).when(rateBook(4)).thenThrows('not_read_yet'));
    it('removes it', () => given([added(), started]).when(removeBook).then([removed]));
  });

  describe('when the book was read', () => {
    const history = [added(), started, read];

    it('rates it', () =>
      given(history)
        .when(rateBook(5))
        .then([rated(5)]));
    it('rates it again', () =>
      given([...history, rated(2)])
        .when(rateBook(4))
        .then([rated(4)]));
    it('starting it again begins a re-read', () => given(history).when(startBook).then([started]));
    it('finishing it again is a re-read, started then finished', () => given(history).when(finishBook).then([started, read]));
    it('removes it', () => given(history).when(removeBook).then([removed]));
  });

  describe('when the book is being read again', () => {
    it('can still be rated', () =>
      given([added(), started, read, started])
        .when(rateBook(3))
        .then([rated(3)]));
    it('finishes it', () => given([added(), started, read, started]).when(finishBook).then([read]));
  });

  describe('when the book was removed', () => {
    const history = [added(), started, read, removed];

    it('refuses to add it again: an id is added once', () => given(history).when(addBook()).thenThrows('book_exists'));
    it('refuses to start it', () => given(history).when(startBook).thenThrows('book_removed'));
    it('refuses to finish it', () => given(history).when(finishBook).thenThrows('book_removed'));
    it('refuses to rate it, even though it was read', () => given(history).when(rateBook(5)).thenThrows('book_removed'));
    it('refuses to remove it again', () => given(history).when(removeBook).thenThrows('book_removed'));
    it('refuses to rate it as removed, not as unread', () => given([added(), removed]).when(rateBook(5)).thenThrows('book_removed'));
  });

  describe('when the book is known only from a line pushed by hand', () => {
    it('can be rated after a read of it', () =>
      given([read])
        .when(rateBook(4))
        .then([rated(4)]));
    it('cannot be added: its id is taken', () => given([read]).when(addBook()).thenThrows('book_exists'));
  });
});

describe('Book state', () => {
  it('is absent, at version 0, before any event', () => expect(initialState()).toEqual({ status: 'absent', version: 0 }));

  it('counts the events applied as its version, and the reads', () =>
    expect(foldBook([added(), started, read, started, read, rated(4)])).toEqual({
      status: 'read',
      removed: false,
      version: 6,
      readCount: 2,
      rating: 4,
    }));

  it('keeps what it was when removed', () =>
    expect(foldBook([added(), started, removed])).toEqual({ status: 'reading', removed: true, version: 3, readCount: 0, rating: null }));

  it('does not change the state it is given', () => {
    const before = foldBook([added()]);
    expect(evolve(before, started)).toMatchObject({ status: 'reading', version: 2 });
    expect(before).toEqual({ status: 'unread', removed: false, version: 1, readCount: 0, rating: null });
  });
});
