/** The last-read view in snapshot chunks and back: book details, reads, removed ids and the arrival counter. */
import type { Author, BookDetails } from '../events.js';
import type { LastReadView } from './last-read.projection.js';
import {
  authorTable,
  addAuthorLists,
  chunkOf,
  inChunks,
  num,
  SnapshotShapeError,
  str,
  stringColumn,
  stringsBack,
  tuple,
} from './snapshot-chunks.js';
import { intsBack, packInts, packStrings, StringsReader } from './packed-columns.js';
import { ChunkedEntries } from './packed-entries.js';

const NO_AUTHOR = -1;
/** The book's author list is not in the table (it was replaced there since): it is written with the book. */
const OWN_AUTHOR = -2;

type Read = LastReadView['reads'] extends Map<string, infer R> ? R : never;

function details(value: unknown): BookDetails {
  if (value === 0) return NO_DETAILS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotShapeError('read details are not an object');
  return value;
}

const list = (value: unknown): unknown[] => {
  if (!Array.isArray(value)) throw new SnapshotShapeError('a snapshot column is not a list');
  return value;
};
const present = (value: string | null | undefined): string => {
  if (typeof value !== 'string') throw new SnapshotShapeError('a snapshot field is missing');
  return value;
};

/** Reads that name only the book share one empty object, as in the projection. */
const NO_DETAILS: BookDetails = Object.freeze({});

const isEmpty = (d: BookDetails): boolean =>
  d.title === undefined && d.author === undefined && d.type === undefined && d.year === undefined && d.isbn === undefined;

export function* encodeLastRead(view: LastReadView): Generator<unknown> {
  const authors = authorTable(view.authors);
  yield { kind: 'seq', items: [view.seq] };
  yield* inChunks(authors.entries, 'authors', (entry) => entry);
  // Column by column, strings joined or by table: a few long values parse faster than a value per field.
  // Book details packed column by column: read back, a book's are built only when a read of it is shown.
  for (const { items } of inChunks(view.books, 'books', (entry) => entry)) {
    const strings = (field: 'title' | 'type' | 'year') => packStrings(items.map(([, b]) => b[field] ?? null));
    const own: [number, Author[]][] = [];
    const refs = items.map(([, b], i) => {
      const ref = authors.ref(b.author);
      if (ref === null) return NO_AUTHOR;
      if (typeof ref === 'number') return ref;
      own.push([i, ref]);
      return OWN_AUTHOR;
    });
    yield {
      kind: 'books',
      items: [items.length, packStrings(items.map(([id]) => id)), strings('title'), packInts(refs), own, strings('type'), strings('year')],
    };
  }
  for (const { items } of inChunks(view.reads, 'reads', (entry) => entry)) {
    yield {
      kind: 'reads',
      items: [
        stringColumn(items.map(([key]) => key)),
        stringColumn(items.map(([, r]) => r.id)),
        stringColumn(items.map(([, r]) => r.readAt)),
        items.map(([, r]) => r.readAtMs),
        items.map(([, r]) => r.seq),
        items.map(([, r]) => (isEmpty(r.details) ? 0 : r.details)),
      ],
    };
  }
  yield* inChunks(view.removed, 'removed', (id) => id);
}

export function lastReadDecoder(initial: () => LastReadView) {
  const view = initial();
  const lists: Author[][] = [];
  const books = new ChunkedEntries<LastReadView['books'] extends Map<string, infer B> ? B : never>();
  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'seq':
          view.seq = num(items[0]);
          return;
        case 'authors':
          addAuthorLists(items, view.authors, lists);
          return;
        case 'books': {
          const [size, idColumn, titleColumn, refColumn, ownColumn, typeColumn, yearColumn] = tuple(items, 7);
          if (!Number.isSafeInteger(size) || (size as number) < 0) throw new SnapshotShapeError('a books chunk has no count');
          const length = size as number;
          const [ids, titles, types, years] = [idColumn, titleColumn, typeColumn, yearColumn].map(
            (column) => new StringsReader(column, length),
          );
          const refs = intsBack(refColumn, length);
          const own = new Map<number, Author[]>();
          for (const item of list(ownColumn)) {
            const [at, authors] = tuple(item, 2);
            if (!Array.isArray(authors)) throw new SnapshotShapeError('an author list is not a list');
            own.set(num(at), authors as Author[]);
          }
          for (let i = 0; i < length; i++) {
            const ref = refs[i]!;
            if (ref === OWN_AUTHOR ? !own.has(i) : ref < NO_AUTHOR || ref >= lists.length)
              throw new SnapshotShapeError('a snapshot names an unknown author list');
          }
          books.add(ids!, (i) => {
            const ref = refs[i]!;
            return {
              title: titles!.at(i) ?? undefined,
              author: ref === NO_AUTHOR ? undefined : ref === OWN_AUTHOR ? own.get(i) : lists[ref],
              type: types!.at(i) ?? undefined,
              year: years!.at(i) ?? undefined,
            };
          });
          return;
        }
        case 'reads': {
          const [keyColumn, idColumn, readAtColumn, readAtMs, seqs, detailColumn] = tuple(items, 6);
          const length = list(readAtMs).length;
          if (list(seqs).length !== length || list(detailColumn).length !== length)
            throw new SnapshotShapeError('a reads chunk has a ragged column');
          const [keys, ids, readAts] = [keyColumn, idColumn, readAtColumn].map((column) => stringsBack(column, length));
          for (let i = 0; i < length; i++) {
            const read: Read = {
              id: ids![i]!,
              readAt: present(readAts![i]),
              readAtMs: num((readAtMs as unknown[])[i]),
              seq: num((seqs as unknown[])[i]),
              details: details((detailColumn as unknown[])[i]),
            };
            view.reads.set(present(keys![i]), read);
          }
          return;
        }
        case 'removed':
          for (const id of items) view.removed.add(str(id));
          return;
        default:
          throw new SnapshotShapeError(`unknown chunk kind ${kind}`);
      }
    },
    view(): LastReadView {
      if (books.size > 0) view.books.restorePacked(books);
      return view;
    },
  };
}
