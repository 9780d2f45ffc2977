import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import type { Projection } from '../../bookshelf/domain/projection.js';
import { bookStatesProjection } from '../../bookshelf/domain/projections/book-states.projection.js';
import { lastReadBooks, lastReadProjection } from '../../bookshelf/domain/projections/last-read.projection.js';
import { listBooks, listBooksProjection } from '../../bookshelf/domain/projections/list-books.projection.js';
import { createEventIdSet } from '../../bookshelf/app/event-id-set.js';
import { hashOf, packInts, packNumbers, packStrings } from '../../bookshelf/domain/projections/packed-columns.js';
import { NumbersReader, StringsReader } from '../../bookshelf/domain/projections/packed-column-readers.js';
import { SnapshotShapeError } from '../../bookshelf/domain/projections/snapshot-chunks.js';
import { bookAdded, bookRated, bookRead, bookRemoved, bookStarted } from '../support/events.js';
import { fold, throughSnapshot } from '../support/projection-folds.js';

/** The view folded from `events`, written out as snapshot lines would be (JSON text), and read back. */
function roundTrip<V>(projection: Projection<V>, events: RecordedEvent[]) {
  const view = fold(projection, events);
  return { view, restored: throughSnapshot(projection, view) };
}

/** The columns of a rows chunk of `count` books (one unless said), as list-books writes them, with some of them replaced. */
function rowColumns(
  change: { ids?: (string | null)[]; count?: number; status?: string; author?: number; title?: unknown; readCount?: number | null } = {},
): unknown[] {
  const { count = 1, ids = ['b1'], status = 'read', author = -1, readCount = 0 } = change;
  const each = <T>(value: T): T[] => Array.from({ length: count }, () => value);
  const none = packStrings(each(null));
  const { title = none } = change;
  return [
    count,
    packStrings(ids),
    title,
    packInts(each(author)),
    [],
    none,
    none,
    none,
    packStrings(each(status)),
    packNumbers(each(null)),
    packNumbers(each(readCount)),
    none,
    none,
    none,
  ];
}

/** The columns of a last-read reads chunk, as `encode` writes them, with one thing changed. */
function readColumns(
  change: { keys?: (string | null)[]; count?: number; named?: number; readAt?: string | null; seq?: number | null } = {},
): unknown[] {
  const { count = 1, keys = ['b1'], named = 1, readAt = '2026-11-22T10:00:00.000Z', seq = 1 } = change;
  const each = <T>(value: T): T[] => Array.from({ length: count }, () => value);
  return [
    count,
    packStrings(keys),
    packInts(each(named)),
    packStrings(each(readAt)),
    packNumbers(each(1_795_000_000_000)),
    packNumbers(each(seq)),
    [],
  ];
}

const orwell = [{ name: 'George Orwell' }];
const shelf = (count: number): RecordedEvent[] =>
  Array.from({ length: count }, (_, n) => [
    bookAdded(`b${n}`, {
      title: `Title ${n}`,
      author: n % 3 === 0 ? orwell : [{ name: `Author ${n % 7}` }, { name: 'Co' }],
      year: '1949',
      isbn: n % 2 ? 'x' : undefined!,
    }),
    ...(n % 2 ? [bookStarted(`b${n}`)] : []),
    ...(n % 3 ? [bookRead(`b${n}`), bookRated(`b${n}`, 1 + (n % 5))] : []),
    ...(n % 11 === 0 ? [bookRemoved(`b${n}`)] : []),
  ]).flat();

describe('snapshot codecs', () => {
  describe('when the shelf spans several chunks', () => {
    const events = [...shelf(2500), bookRead(undefined, {}, { title: 'No id' }), bookRead('never-added', {}, { title: 'Hand-pushed' })];

    it('list-books comes back equal, in the same order, author lists shared again', () => {
      const { view, restored } = roundTrip(listBooksProjection, events);
      expect(restored).toEqual(view);
      expect(listBooks(restored).map((row) => row.id)).toEqual(listBooks(view).map((row) => row.id));
      expect(restored.books.get('b3')!.author).toBe(restored.books.get('b6')!.author);
      // A removed book stays removed: a later line about it does not bring it back.
      expect(listBooksProjection.evolve(restored, bookRead('b0')).books.has('b0')).toBe(false);
    });

    it('last-read comes back equal, its arrival counter included', () => {
      const { view, restored } = roundTrip(lastReadProjection, events);
      expect(restored).toEqual(view);
      expect(lastReadBooks(restored, 50)).toEqual(lastReadBooks(view, 50));
      expect(restored.seq).toBe(view.seq);
    });

    it('books comes back equal, recorded commands included', () => {
      const keyed = [bookAdded('k1', { title: 'Keyed' }, { command: 'key-a' }), bookStarted('k1', { command: 'key-b' })];
      const { view, restored } = roundTrip(bookStatesProjection, [...events, ...keyed]);
      expect(restored).toEqual(view);
      expect(restored.commands.get('key-a')).toMatchObject({ kind: 'add-book', aggregate: 'k1' });
    });
  });

  describe('when a chunk is not one it wrote', () => {
    /** Decodes one chunk into a view, as a restore does: some faults show as the chunk is added, others as the view is made. */
    const decode = <V>(projection: Projection<V>, chunk: unknown): V => {
      const decoder = projection.snapshot!.decoder();
      decoder.add(chunk);
      return decoder.view();
    };

    it.each([
      ['no kind', { items: [] }],
      ['an unknown kind', { kind: 'shelves', items: [] }],
      ['a short row', { kind: 'rows', items: [1, packStrings(['b1'])] }],
      ['a ragged column', { kind: 'rows', items: rowColumns({ ids: ['b1', 'b2'] }) }],
      ['an unknown status', { kind: 'rows', items: rowColumns({ status: 'lost' }) }],
      ['an author list it never had', { kind: 'rows', items: rowColumns({ author: 7 }) }],
      ['a book twice', { kind: 'rows', items: rowColumns({ ids: ['b1', 'b1'], count: 2 }) }],
      ['a book with no id', { kind: 'rows', items: rowColumns({ ids: [null] }) }],
      ['a string column cut short', { kind: 'rows', items: rowColumns({ title: ['joined', 'Dun', packInts([4])] }) }],
      ['a read count that is no number', { kind: 'rows', items: rowColumns({ readCount: null }) }],
    ])('list-books throws on %s', (_, chunk) => {
      expect(() => decode(listBooksProjection, { kind: 'rows', items: rowColumns() })).not.toThrow();
      expect(() => decode(listBooksProjection, chunk)).toThrow(SnapshotShapeError);
    });

    it.each([
      ['a books chunk of rows', { kind: 'books', items: [['b1', null, null, null, null]] }],
      [
        'a reads chunk in the columns of an older version',
        { kind: 'reads', items: [['joined', 'b1', [2]], ['joined', 'b1', [2]], ['joined', 'x', [1]], [1], [1], [0]] },
      ],
      ['a ragged reads chunk', { kind: 'reads', items: readColumns({ keys: ['b1', 'b2'] }) }],
      ['a read with no time', { kind: 'reads', items: readColumns({ readAt: null }) }],
      ['a read that is neither named nor anonymous', { kind: 'reads', items: readColumns({ named: 2 }) }],
      ['a read with no arrival number', { kind: 'reads', items: readColumns({ seq: null }) }],
      ['a read twice', { kind: 'reads', items: readColumns({ keys: ['b1', 'b1'], count: 2 }) }],
    ])('last-read throws on %s', (_, chunk) => {
      expect(() => decode(lastReadProjection, { kind: 'reads', items: readColumns() })).not.toThrow();
      expect(() => decode(lastReadProjection, chunk)).toThrow(SnapshotShapeError);
    });
  });
});

describe('a string column in a snapshot', () => {
  const through = (values: (string | null)[]) => {
    const reader = new StringsReader(JSON.parse(JSON.stringify(packStrings(values))), values.length);
    return Array.from({ length: values.length }, (_, i) => reader.at(i));
  };

  it('gives back unique strings, nulls, empty strings and any characters, joined end to end', () => {
    const values = ['Dune', null, '', 'Ünïcødé 📚 "quoted"\n\\', 'Dune', '\u0000', null, 'Z'];
    expect(packStrings(values)[0]).toBe('joined');
    expect(through(values)).toEqual(values);
  });

  it('gives back repeated values through a table', () => {
    const values = Array.from({ length: 100 }, (_, n) => (n % 7 === 0 ? null : ['read', 'unread', 'reading'][n % 3]!));
    expect(packStrings(values)[0]).toBe('table');
    expect(through(values)).toEqual(values);
  });

  it('finds any value of a long column, in any order, and packs it again as it was packed', () => {
    // Nulls, empty strings, and one value too long for its length to fit a byte (so the lengths are four bytes each).
    const values = Array.from({ length: 1000 }, (_, n) =>
      n % 11 === 0 ? null : n % 13 === 0 ? '' : n === 500 ? 'x'.repeat(300) : `value ${n} ${'é'.repeat(n % 5)}`,
    );
    // With lengths of four bytes each, and of one.
    for (const column of [values, values.map((value) => (value === null ? null : value.slice(0, 40)))]) {
      const packed = packStrings(column);
      const reader = new StringsReader(JSON.parse(JSON.stringify(packed)), column.length);
      const order = [...column.keys(), ...[...column.keys()].reverse(), 999, 0, 640, 63, 64, 65, 128, 127, 1, 998];
      for (const i of order) {
        expect(reader.at(i)).toBe(column[i]);
        expect(reader.isNull(i)).toBe(column[i] === null);
        expect(reader.hash(i)).toBe(hashOf(column[i] ?? ''));
        expect(reader.equals(i, column[i] ?? 'never')).toBe(column[i] !== null);
        expect(reader.equals(i, `${column[i]}!`)).toBe(false);
        // The same length, another first character.
        const value = column[i];
        if (value) expect(reader.equals(i, `${value.startsWith('Z') ? 'Y' : 'Z'}${value.slice(1)}`)).toBe(false);
      }
      expect(reader.packed()).toEqual(packed);
    }
  });

  it.each([
    ['a length past the end', ['joined', 'abc', packInts([2, 2])], 2],
    ['characters left over', ['joined', 'abcd', packInts([2, 1])], 2],
    ['a negative length', ['joined', 'abc', packInts([-2, 3])], 2],
    ['lengths that are not packed', ['joined', 'abc', [1.5, 1.5]], 2],
    ['an index outside the table', ['table', ['a'], packInts([0, 1])], 2],
    ['a number in the table', ['table', [7], packInts([0])], 1],
    ['fewer items than rows', ['joined', 'ab', packInts([1, 1])], 3],
    ['an unknown form', ['zipped', 'ab', packInts([1, 1])], 2],
  ])('throws on %s', (_, column, length) => {
    expect(() => new StringsReader(column, length)).toThrow();
  });
});

describe('a number column in a snapshot', () => {
  it.each([
    ['bytes', [0, 3, null, 254], 4],
    ['Int32', [255, -7, null, 2 ** 31 - 1], 16],
    ['Float64', [1.5, 1_795_000_000_000, null, -0.25], 32],
  ])('gives back numbers packed as %s, null as NaN, and packs them again as they were', (_, values, bytes) => {
    const packed = packNumbers(values);
    expect(Buffer.from(packed, 'base64')).toHaveLength(bytes);
    const reader = new NumbersReader(JSON.parse(JSON.stringify(packed)), values.length);
    expect(values.map((_value, i) => reader.at(i))).toEqual(values.map((value) => value ?? NaN));
    expect(reader.packed()).toBe(packed);
  });

  it.each([
    ['a length that fits no form', Buffer.alloc(6).toString('base64'), 2],
    ['an infinite number', Buffer.from(new Float64Array([1, Infinity]).buffer).toString('base64'), 2],
    ['a value that is not packed', [1, 2], 2],
  ])('throws on %s', (_, column, length) => {
    expect(() => new NumbersReader(column, length)).toThrow();
  });
});

describe('event id set in a snapshot', () => {
  it('gives back every id, UUIDs and others, and still refuses each one again', () => {
    const ids = createEventIdSet();
    const uuids = Array.from({ length: 10_000 }, (_, n) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${'0'.repeat(12)}`);
    const others = ['topic:0:17', 'event-1', 'ABCDEF'];
    for (const id of [...uuids, ...others]) ids.add(id);
    const restored = createEventIdSet();
    for (const chunk of ids.chunks()) restored.restore(JSON.parse(JSON.stringify(chunk)));
    expect(restored.size).toBe(ids.size);
    for (const id of [...uuids, ...others]) expect(restored.add(id)).toBe(false);
    expect(restored.add('11111111-0000-4000-8000-000000000000')).toBe(true);
  });

  it('throws on a chunk of another kind or with ragged bytes', () => {
    expect(() => createEventIdSet().restore({ kind: 'applied-uuids', items: ['AAAA'] })).toThrow();
    expect(() => createEventIdSet().restore({ kind: 'other', items: [] })).toThrow();
  });
});
