import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import { lastReadBooks, lastReadChanged, lastReadProjection } from '../../bookshelf/domain/projections/last-read.projection.js';
import { bookAdded, bookRated, bookRead, bookRemoved, bookStarted } from '../support/events.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { projectionSpec } from '../support/projection-spec.js';

const given = projectionSpec(lastReadProjection);
const top = (size: number) => (view: Parameters<typeof lastReadBooks>[0]) => lastReadBooks(view, size);
const ids =
  (size = 5) =>
  (view: Parameters<typeof lastReadBooks>[0]) =>
    lastReadBooks(view, size).map((entry) => entry.id);

describe('last-read projection', () => {
  describe('when nothing was read', () => {
    it('lists nothing', () => given(bookAdded('b1', { title: 'Dune' }, { at: 1 }), bookStarted('b1', { at: 2 })).then(top(5), []));
  });

  describe('when books were read', () => {
    it('lists them newest first, with the details known from book-added', () =>
      given(
        bookAdded('b1', { title: '1984', author: [{ name: 'George Orwell' }], type: 'novel', year: '1949' }, { at: 0 }),
        bookRead('b1', { at: 1 }),
        bookRead('b2', { at: 2 }, { title: 'Dune' }),
      ).then(top(5), [
        { id: 'b2', title: 'Dune', readAt: '2026-11-22T10:02:00.000Z' },
        { id: 'b1', title: '1984', author: [{ name: 'George Orwell' }], type: 'novel', year: '1949', readAt: '2026-11-22T10:01:00.000Z' },
      ]));

    it('orders by read time, not by arrival', () =>
      given(bookRead('late', { at: 9 }), bookRead('early', { at: 3 })).then(ids(), ['late', 'early']));

    it('breaks ties of read time by arrival, later first', () =>
      given(bookRead('a', { at: 5 }), bookRead('b', { at: 5 })).then(ids(), ['b', 'a']));

    it('keeps at most size books', () =>
      given(bookRead('a', { at: 1 }), bookRead('b', { at: 2 }), bookRead('c', { at: 3 })).then(ids(2), ['c', 'b']));

    it('joins details from a book-added that arrives after the read', () =>
      given(bookRead('b1', { at: 1 }), bookAdded('b1', { title: 'Emma' }, { at: 2 })).then(top(5), [
        { id: 'b1', title: 'Emma', readAt: '2026-11-22T10:01:00.000Z' },
      ]));

    it('keeps what the read carried where book-added said nothing, and book-added wins elsewhere', () =>
      given(
        bookAdded('b1', { title: 'Emma' }, { at: 0 }),
        bookRead('b1', { at: 1 }, { title: 'Emma?', author: [{ name: 'Jane Austen' }] }),
      ).then(top(5), [{ id: 'b1', title: 'Emma', author: [{ name: 'Jane Austen' }], readAt: '2026-11-22T10:01:00.000Z' }]));

    it('ignores ratings and starts', () =>
      given(bookRead('b1', { at: 1 }), bookRated('b1', 5, { at: 2 }), bookStarted('b2', { at: 3 })).then(ids(), ['b1']));
  });

  describe('when a book was read again', () => {
    it('lists it once, moved to the front', () =>
      given(bookRead('a', { at: 1 }), bookRead('b', { at: 2 }), bookRead('a', { at: 3 })).then(ids(), ['a', 'b']));

    it('keeps the newer read when an older one arrives late', () =>
      given(bookRead('a', { at: 5 }), bookRead('b', { at: 4 }), bookRead('a', { at: 1 })).then(ids(), ['a', 'b']));
  });

  describe('when a read names no book', () => {
    it('shows each such read as its own entry', () =>
      given(bookRead(undefined, { at: 1 }, { title: 'Dune' }), bookRead(undefined, { at: 2 }, { title: 'Dune' })).then(top(5), [
        { id: null, title: 'Dune', readAt: '2026-11-22T10:02:00.000Z' },
        { id: null, title: 'Dune', readAt: '2026-11-22T10:01:00.000Z' },
      ]));
  });

  describe('when a book was removed', () => {
    it('leaves it out, and the next ones move up', () =>
      given(bookRead('a', { at: 1 }), bookRead('b', { at: 2 }), bookRead('c', { at: 3 }), bookRemoved('c', { at: 4 })).then(ids(2), [
        'b',
        'a',
      ]));

    it('leaves it out even when read after removal', () => given(bookRemoved('a', { at: 1 }), bookRead('a', { at: 2 })).then(ids(), []));
  });

  describe('when it was listed before (the next list looks at the last one and the reads since)', () => {
    /** Listed after `before`, then again after `after`: ids of the second list. */
    const listedAgain = (size: number, before: RecordedEvent[], after: RecordedEvent[]) => {
      const { view } = given(...before);
      lastReadBooks(view, size);
      return ids(size)(after.reduce((state, event) => lastReadProjection.evolve(state, event), view));
    };
    const reads = (...keys: string[]) => keys.map((key, n) => bookRead(key, { at: n + 1 }));

    it('puts the books read since in their place', () =>
      expect(listedAgain(3, reads('a', 'b', 'c', 'd'), [bookRead('e', { at: 10 }), bookRead('x', { at: 2.5 })])).toEqual(['e', 'd', 'c']));

    it('moves a book of the last list read again to the front, once', () =>
      expect(listedAgain(3, reads('a', 'b', 'c'), [bookRead('a', { at: 10 })])).toEqual(['a', 'c', 'b']));

    it('brings back from every read the book after one removed from the last list', () =>
      expect(listedAgain(2, reads('a', 'b', 'c'), [bookRemoved('c', { at: 10 })])).toEqual(['b', 'a']));

    it('ranks every read again for another size', () => {
      const { view } = given(...reads('a', 'b', 'c', 'd'));
      lastReadBooks(view, 2);
      expect(ids(4)(view)).toEqual(['d', 'c', 'b', 'a']);
    });

    it('is right after more reads than it looks at one by one', () =>
      expect(
        listedAgain(2, reads('a', 'b'), [
          ...Array.from({ length: 5000 }, (_, n) => bookRead(`n${n}`, { at: 3 + n / 10_000 })),
          bookRead('a', { at: 2.5 }),
        ]),
      ).toEqual(['n4999', 'n4998']));

    it('equals a list of every read, whatever came between two lists', () => {
      const random = seededRandom(fuzzSeed());
      const { view } = given();
      const all: RecordedEvent[] = [];
      for (let step = 0; step < 300; step++) {
        const key = `b${random.int(0, 40)}`;
        const event = random.weighted<RecordedEvent>([
          [8, bookRead(key, { at: random.int(0, 500) })],
          [1, bookRead(undefined, { at: random.int(0, 500) })],
          [1, bookRemoved(key, { at: step })],
          [1, bookAdded(key, { title: `T${step}` }, { at: step })],
        ]);
        all.push(event);
        lastReadProjection.evolve(view, event);
        if (random.chance(0.3))
          expect(lastReadBooks(view, 4), `seed ${random.seed}, step ${step}`).toEqual(lastReadBooks(given(...all).view, 4));
      }
    });
  });

  describe('which applied events change the list (GET /changes sends only those)', () => {
    /** Whether `event`, applied after `before`, changed the last read books. */
    const changes = (before: RecordedEvent[], event: RecordedEvent) => lastReadChanged(given(...before, event).view, event);

    it('a read does, also of a book never added', () => expect(changes([], bookRead('a', { at: 1 }))).toBe(true));

    it('adding, starting, rating or removing a book never read does not', () => {
      expect(changes([], bookAdded('a', { title: 'Emma' }, { at: 1 }))).toBe(false);
      expect(changes([bookAdded('a', { title: 'Emma' }, { at: 1 })], bookStarted('a', { at: 2 }))).toBe(false);
      expect(changes([bookRead('a', { at: 1 })], bookRated('a', 4, { at: 2 }))).toBe(false);
      expect(changes([bookRead('a', { at: 1 })], bookRemoved('b', { at: 2 }))).toBe(false);
    });

    it('removing a book read before does, and so do its details arriving after the read', () => {
      expect(changes([bookRead('a', { at: 1 })], bookRemoved('a', { at: 2 }))).toBe(true);
      expect(changes([bookRead('a', { at: 1 })], bookAdded('a', { title: 'Emma' }, { at: 2 }))).toBe(true);
    });
  });
});
