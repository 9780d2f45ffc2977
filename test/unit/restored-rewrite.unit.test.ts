import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import type { Projection } from '../../bookshelf/domain/projection.js';
import { bookStatesProjection } from '../../bookshelf/domain/projections/book-states.projection.js';
import { lastReadBooks, lastReadProjection } from '../../bookshelf/domain/projections/last-read.projection.js';
import { getBook, listBooks, listBooksProjection } from '../../bookshelf/domain/projections/list-books.projection.js';
import { SegmentMap } from '../../bookshelf/domain/projections/segment-map.js';
import { bookAdded, bookRated, bookRead, bookRemoved, bookStarted, chunkedShelf } from '../support/events.js';
import { fold, linesOf, readBack } from '../support/projection-folds.js';

type WithBooks = { books: SegmentMap<unknown> };

/** Two names in one list, and one name holding both with the separator of the lists' keys: the same key. */
const twoNames = [{ name: 'Ann' }, { name: 'Bo' }];
const oneName = [{ name: 'Ann\u0000Bo' }];

// Three chunks of books; the second is left alone by `later`.
const shelf: RecordedEvent[] = [bookAdded('x', { title: 'Two authors', author: twoNames }), ...chunkedShelf];
const later: RecordedEvent[] = [
  bookStarted('b5'),
  bookRead('b5'),
  bookRemoved('b7'),
  bookRemoved('b2099'),
  bookAdded('new-1', { title: 'New', author: [{ name: 'Author 3' }] }),
  bookRead('new-1'),
  bookRated('b2050', 2),
  bookRead('hand-pushed', {}, { title: 'Pushed', author: [{ name: 'Author 4' }, { name: 'Co' }] }),
  // Replaces the list kept under the key `x`'s list has: `x`, in a chunk that changed, keeps its own.
  bookAdded('y', { title: 'One author', author: oneName }),
];

describe.each([
  ['list-books', listBooksProjection as Projection<unknown>],
  ['last-read', lastReadProjection as Projection<unknown>],
  ['books', bookStatesProjection as Projection<unknown>],
])('%s restored from a snapshot and written again', (_, projection) => {
  const lines = linesOf(projection, fold(projection, shelf));

  it('is written as it came when nothing changed, without building its books', () => {
    const restored = readBack(projection, lines) as WithBooks;
    expect(linesOf(projection, restored)).toEqual(lines);
    expect(restored.books.untouched(0, restored.books.packedEntries!.size)).toBe(true);
  });

  it('after more events, reads back equal to the replay of the whole log, and keeps the chunk none of them changed', () => {
    const replayed = fold(projection, [...shelf, ...later]);
    const continued = fold(projection, later, readBack(projection, lines));
    const again = linesOf(projection, continued);
    const back = readBack(projection, again);
    expect(back).toEqual(replayed);
    expect([...(back as WithBooks).books.keys()]).toEqual([...(replayed as WithBooks).books.keys()]);
    const middle = lines.find((line) => line.includes('"b1000"') || line.includes('b999b1000'));
    expect(middle).toBeDefined();
    expect(again).toContain(middle);
    // And once more, from a snapshot that was itself written from a restored view.
    const more = [bookRead('b1500'), bookRemoved('x'), bookAdded('new-2', { title: 'Newer', author: twoNames })];
    expect(readBack(projection, linesOf(projection, fold(projection, more, back)))).toEqual(
      fold(projection, [...shelf, ...later, ...more]),
    );
  });
});

describe('list-books written again from a restored view', () => {
  it("gives a row its own author list when the table's list under that key was replaced", () => {
    const lines = linesOf(listBooksProjection, fold(listBooksProjection, shelf));
    const added = bookAdded('y', { title: 'One author', author: oneName });
    const continued = fold(listBooksProjection, [added], readBack(listBooksProjection, lines));
    const back = readBack(listBooksProjection, linesOf(listBooksProjection, continued));
    expect(getBook(back, 'x')!.author).toEqual(twoNames);
    expect(getBook(back, 'y')!.author).toEqual(oneName);
    expect(listBooks(back)).toEqual(listBooks(fold(listBooksProjection, [...shelf, added])));
  });
});

describe('last-read written again from a restored view', () => {
  it('writes its reads as they came when none changed, and ranks them without building one to keep', () => {
    const lines = linesOf(lastReadProjection, fold(lastReadProjection, shelf));
    const restored = readBack(lastReadProjection, lines);
    expect(lastReadBooks(restored, 50)).toEqual(lastReadBooks(fold(lastReadProjection, shelf), 50));
    expect(linesOf(lastReadProjection, restored)).toEqual(lines);
    expect(restored.reads.packedEntries!.size).toBe(525);
    expect(restored.reads.untouched(0, restored.reads.packedEntries!.size)).toBe(true);
  });

  it('keeps its author lists packed: written again as they came, none built into the view', () => {
    const lines = linesOf(lastReadProjection, fold(lastReadProjection, shelf));
    const restored = readBack(lastReadProjection, lines);
    expect(linesOf(lastReadProjection, restored)).toEqual(lines);
    expect(restored.authors.packedEntries!.size).toBe(14);
    expect(restored.authors.untouched(0, restored.authors.packedEntries!.size)).toBe(true);
  });

  it('shares an author list between a restored book and a new one', () => {
    const restored = readBack(lastReadProjection, linesOf(lastReadProjection, fold(lastReadProjection, shelf)));
    const continued = fold(lastReadProjection, later, restored);
    expect(continued.books.get('new-1')!.author).toEqual([{ name: 'Author 3' }]);
    expect(continued.books.get('new-1')!.author).toBe(continued.books.get('b3')!.author);
  });

  it('shows the same books as the replay of the whole log', () => {
    const lines = linesOf(lastReadProjection, fold(lastReadProjection, shelf));
    const back = readBack(
      lastReadProjection,
      linesOf(lastReadProjection, fold(lastReadProjection, later, readBack(lastReadProjection, lines))),
    );
    expect(lastReadBooks(back, 50)).toEqual(lastReadBooks(fold(lastReadProjection, [...shelf, ...later]), 50));
  });
});

describe('a packed entry looked at in passing', () => {
  it('is built for the caller and not kept', () => {
    const map = new SegmentMap<{ key: string }>();
    const keys = ['a', 'b', 'c'];
    map.restorePacked({ size: 3, keyAt: (i) => keys[i]!, find: (key) => keys.indexOf(key), valueAt: (i) => ({ key: keys[i]! }) });
    const seen = map.peekPacked(1);
    expect(seen).toEqual({ key: 'b' });
    expect(map.untouched(0, 3)).toBe(true);
    expect(map.get('b')).not.toBe(seen);
    expect(map.untouched(0, 3)).toBe(false);
    expect(map.peekPacked(1)).toBe(map.get('b'));
    map.delete('c');
    expect(map.peekPacked(2)).toBeUndefined();
    map.set('d', { key: 'd' });
    expect([...map.added()].map(([key]) => key)).toEqual(['d']);
  });
});
