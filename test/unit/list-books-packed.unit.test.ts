import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import {
  getBook,
  listBooks,
  listBooksProjection,
  PACK_EVERY,
  type BookRow,
  type ListBooksView,
} from '../../bookshelf/domain/projections/list-books.projection.js';
import { SegmentMap } from '../../bookshelf/domain/projections/segment-map.js';
import { bookAdded, bookRated, bookRead, bookRemoved, bookStarted } from '../support/events.js';
import { fold as foldEvents, throughSnapshot } from '../support/projection-folds.js';

const fold = (events: RecordedEvent[], view = listBooksProjection.initialState()): ListBooksView =>
  foldEvents(listBooksProjection, events, view);

const restored = (view: ListBooksView): ListBooksView => throughSnapshot(listBooksProjection, view);

/** More books than one packing takes, with every kind of value: long and short, non-Latin, missing, many or few. */
const count = 2 * PACK_EVERY + 300;
const title = (n: number) => (n % 7 === 0 ? `Tïtle ✓ ${n}` : n % 5 === 0 ? '' : `Title ${n}`);
const shelf: RecordedEvent[] = Array.from({ length: count }, (_, n) => [
  bookAdded(
    `b${n}`,
    {
      title: title(n),
      author: [{ name: `Author ${n % 13}` }],
      ...(n % 3 === 0 ? {} : { type: n % 2 === 0 ? 'novel' : 'essay' }),
      year: String(1000 + n),
      ...(n % 11 === 0 ? { isbn: `isbn-${n}` } : {}),
    },
    { at: n },
  ),
  ...(n % 4 === 0 ? [bookRead(`b${n}`, { at: n + 1 }), bookRated(`b${n}`, n % 9 === 0 ? 300 + n : 1 + (n % 5))] : []),
]).flat();

/** Book n's row as the shelf above makes it, worked out apart from the projection. */
function expectedRow(n: number): BookRow {
  const at = (minutes: number) => new Date(Date.parse('2026-11-22T10:00:00.000Z') + minutes * 60_000).toISOString();
  const read = n % 4 === 0;
  return {
    id: `b${n}`,
    title: title(n),
    author: [{ name: `Author ${n % 13}` }],
    type: n % 3 === 0 ? null : n % 2 === 0 ? 'novel' : 'essay',
    year: String(1000 + n),
    isbn: n % 11 === 0 ? `isbn-${n}` : null,
    status: read ? 'read' : 'unread',
    rating: read ? (n % 9 === 0 ? 300 + n : 1 + (n % 5)) : null,
    readCount: read ? 1 : 0,
    addedAt: at(n),
    startedAt: null,
    readAt: read ? at(n + 1) : null,
  };
}

describe('list-books packing the rows it has replayed', () => {
  const view = fold(shelf);

  it('holds most of a long shelf packed', () => {
    expect(view.books.size).toBe(count);
    expect(view.books.unpackedSize).toBeLessThan(PACK_EVERY);
  });

  it('gives every row back as it was, in order', () => {
    expect(listBooks(view)).toEqual(Array.from({ length: count }, (_, n) => expectedRow(n)));
    for (const n of [0, 7, 11, PACK_EVERY - 1, PACK_EVERY, count - 1]) expect(getBook(view, `b${n}`)).toEqual(expectedRow(n));
    expect(getBook(view, 'b-unknown')).toBeUndefined();
    expect(listBooks(view, { status: 'read' }).map((row) => row.id)).toEqual(
      Array.from({ length: count }, (_, n) => n)
        .filter((n) => n % 4 === 0)
        .map((n) => `b${n}`),
    );
  });

  it('builds the packed rows of a whole list for that list only, and lists a row built before as the same object', () => {
    const view = fold(shelf);
    const first = listBooks(view);
    expect(listBooks(view)[1]).not.toBe(first[1]);
    expect(listBooks(view)[1]).toEqual(first[1]);
    const built = getBook(view, 'b2')!;
    expect(getBook(view, 'b2')).toBe(built);
    expect(listBooks(view)[2]).toBe(built);
    expect(listBooks(view, { status: 'read' })[0]).toEqual(expectedRow(0));
  });

  describe('when more events name packed books', () => {
    const later: RecordedEvent[] = [
      bookStarted('b5', { at: 1e5 }),
      bookRead('b5', { at: 1e5 + 1 }),
      bookRated('b6', 4),
      bookRemoved('b7'),
      bookRead('b7'),
      bookAdded('b9', { title: 'Added twice' }),
      bookAdded('new-1', { title: 'New', author: [{ name: 'Author 3' }] }),
    ];
    const continued = fold(later, fold(shelf));

    it('changes the packed rows and keeps the change', () => {
      expect(getBook(continued, 'b5')).toMatchObject({
        status: 'read',
        readCount: 1,
        startedAt: expect.any(String),
        readAt: expect.any(String),
      });
      expect(getBook(continued, 'b5')).toBe(getBook(continued, 'b5'));
      expect(getBook(continued, 'b6')!.rating).toBe(4);
      expect(getBook(continued, 'b7')).toBeUndefined();
      expect(getBook(continued, 'b9')!.title).toBe(title(9));
      expect(continued.books.size).toBe(count);
      expect(listBooks(continued).at(-1)!.id).toBe('new-1');
    });

    it('shares an author list between a packed row and a new one', () => {
      expect(getBook(continued, 'new-1')!.author).toBe(getBook(continued, 'b3')!.author);
    });

    it('is written to a snapshot and read back as it is', () => {
      const back = restored(continued);
      expect(back).toEqual(continued);
      const read = bookRead('b8', { at: 2e5 });
      expect(listBooks(fold([read], back))).toEqual(listBooks(fold([read], continued)));
    });
  });

  it('packs again behind the rows a snapshot gave back', () => {
    const more = Array.from({ length: PACK_EVERY + 5 }, (_, n) => bookAdded(`more-${n}`, { title: `More ${n}` }));
    const continued = fold(more, restored(fold(shelf)));
    expect(continued).toEqual(fold([...shelf, ...more]));
    expect(continued.books.unpackedSize).toBeLessThan(PACK_EVERY);
    // A snapshot of it holds the rows packed since the restore too.
    expect(restored(continued)).toEqual(continued);
    expect(restored(continued).books.size).toBe(count + more.length);
  });
});

describe('a map packing its entries', () => {
  const pack = (packed: { size: number } | undefined, keys: string[]) => {
    const all = [...((packed as { keys?: string[] } | undefined)?.keys ?? []), ...keys];
    return {
      keys: all,
      size: all.length,
      keyAt: (i: number) => all[i]!,
      find: (key: string) => all.indexOf(key),
      valueAt: (i: number) => ({ key: all[i]! }),
    };
  };

  it('keeps the order, the size and what was set and deleted', () => {
    const map = new SegmentMap<{ key: string }>();
    for (const key of ['a', 'b', 'c']) map.set(key, { key });
    map.packUnpacked(pack);
    expect(map.unpackedSize).toBe(0);
    map.set('d', { key: 'd' });
    map.set('b', { key: 'B' });
    expect(map.delete('a')).toBe(true);
    map.packUnpacked(pack);
    expect([...map.keys()]).toEqual(['b', 'c', 'd']);
    expect([...map.values()].map((value) => value.key)).toEqual(['B', 'c', 'd']);
    expect(map.get('x')).toBeUndefined();
    map.set('x', { key: 'x' });
    expect(map.get('x')).toEqual({ key: 'x' });
    expect(map.size).toBe(4);
    expect([...map.peekValues()].map((value) => value.key)).toEqual(['B', 'c', 'd', 'x']);
  });
});
