import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import { getBook, listBooks, listBooksProjection, type ListBooksView } from '../../bookshelf/domain/projections/list-books.projection.js';
import { SegmentMap } from '../../bookshelf/domain/projections/segment-map.js';
import { lastReadBooks, lastReadProjection } from '../../bookshelf/domain/projections/last-read.projection.js';
import { bookState, bookStatesProjection } from '../../bookshelf/domain/projections/book-states.projection.js';
import { bookAdded, bookRated, bookRead, bookRemoved, bookStarted, chunkedShelf } from '../support/events.js';
import { fold as foldEvents, throughSnapshot } from '../support/projection-folds.js';

const fold = (events: RecordedEvent[], view = listBooksProjection.initialState()): ListBooksView =>
  foldEvents(listBooksProjection, events, view);

/** The view as a snapshot gives it back: its rows still packed, built when asked for. */
const restored = (view: ListBooksView): ListBooksView => throughSnapshot(listBooksProjection, view);

const shelf = chunkedShelf;

describe('list-books restored from a snapshot', () => {
  describe('when more events follow the snapshot', () => {
    const later: RecordedEvent[] = [
      bookStarted('b5'),
      bookRead('b5'),
      bookRemoved('b7'),
      bookRemoved('b2099'),
      bookAdded('new-1', { title: 'New', author: [{ name: 'Author 3' }] }),
      bookRead('b7'),
      bookRated('b1000', 2),
      bookRead('hand-pushed', {}, { title: 'Pushed', author: [{ name: 'Author 4' }, { name: 'Co' }] }),
      bookAdded('b5', { title: 'Added twice' }),
    ];

    it('equals the replay of the whole log, row by row and in order', () => {
      const replayed = fold([...shelf, ...later]);
      const continued = fold(later, restored(fold(shelf)));
      expect(continued).toEqual(replayed);
      expect(continued.books.size).toBe(replayed.books.size);
      expect(listBooks(continued).map((row) => row.id)).toEqual(listBooks(replayed).map((row) => row.id));
      expect(listBooks(continued, { status: 'reading' })).toEqual(listBooks(replayed, { status: 'reading' }));
    });

    it('shares an author list between a restored row and a new one', () => {
      const continued = fold(later, restored(fold(shelf)));
      expect(getBook(continued, 'new-1')!.author).toBe(getBook(continued, 'b3')!.author);
    });
  });

  it('gives the same row each time one is asked for, and none for a removed or unknown book', () => {
    const view = restored(fold([...shelf, bookRemoved('b9')]));
    expect(getBook(view, 'b10')).toBe(getBook(view, 'b10'));
    expect(getBook(view, 'b9')).toBeUndefined();
    expect(getBook(view, 'b99999')).toBeUndefined();
    expect(view.books.has('b10')).toBe(true);
    expect(view.removed.has('b9')).toBe(true);
  });
});

describe('a map with packed entries', () => {
  function packed(keys: string[]): SegmentMap<{ key: string }> {
    const map = new SegmentMap<{ key: string }>();
    map.restorePacked({
      size: keys.length,
      keyAt: (index) => keys[index]!,
      find: (key) => keys.indexOf(key),
      valueAt: (index) => ({ key: keys[index]! }),
    });
    return map;
  }

  it('behaves as a Map: size, order, set, delete and clear', () => {
    const map = packed(['a', 'b', 'c']);
    expect(map.size).toBe(3);
    map.set('d', { key: 'd' });
    map.set('b', { key: 'B' });
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect(map.has('a')).toBe(false);
    expect([...map.keys()]).toEqual(['b', 'c', 'd']);
    expect([...map.values()].map((value) => value.key)).toEqual(['B', 'c', 'd']);
    expect(map.size).toBe(3);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('c')).toBeUndefined();
  });
});

describe('book states restored from a snapshot', () => {
  it('equal the replay of the whole log when more events follow', () => {
    const replay = (events: RecordedEvent[], view = bookStatesProjection.initialState()) =>
      events.reduce((state, event) => bookStatesProjection.evolve(state, event), view);
    const decoder = bookStatesProjection.snapshot!.decoder();
    for (const chunk of bookStatesProjection.snapshot!.encode(replay(shelf))) decoder.add(JSON.parse(JSON.stringify(chunk)));
    const later = [bookStarted('b5'), bookRemoved('b7'), bookRated('b8', 3), bookAdded('new-1', { title: 'New' })];
    const continued = replay(later, decoder.view());
    expect(continued).toEqual(replay([...shelf, ...later]));
    expect(bookState(continued, 'b7')).toMatchObject({ removed: true });
  });
});

describe('last-read restored from a snapshot', () => {
  it('equals the replay of the whole log when more events follow, and shows the same books', () => {
    const replay = (events: RecordedEvent[], view = lastReadProjection.initialState()) =>
      events.reduce((state, event) => lastReadProjection.evolve(state, event), view);
    const decoder = lastReadProjection.snapshot!.decoder();
    for (const chunk of lastReadProjection.snapshot!.encode(replay(shelf))) decoder.add(JSON.parse(JSON.stringify(chunk)));
    const later = [
      bookRead('b5'),
      bookRemoved('b8'),
      bookAdded('new-1', { title: 'New', author: [{ name: 'Author 3' }] }),
      bookRead('new-1'),
    ];
    const continued = replay(later, decoder.view());
    const replayed = replay([...shelf, ...later]);
    expect(lastReadBooks(continued, 50)).toEqual(lastReadBooks(replayed, 50));
    expect(continued).toEqual(replayed);
  });
});
