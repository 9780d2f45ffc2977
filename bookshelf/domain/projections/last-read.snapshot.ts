/** The last-read view in snapshot chunks and back: book details, reads, removed ids and the arrival counter. */
import type { Author, BookDetails } from '../events.js';
import type { LastReadView } from './last-read.projection.js';
import { authorTable, authorsBack, chunkOf, inChunks, num, SnapshotShapeError, str, strOrNull, tuple } from './snapshot-chunks.js';

type Read = LastReadView['reads'] extends Map<string, infer R> ? R : never;

const orUndefined = (value: unknown): string | undefined => strOrNull(value ?? null) ?? undefined;

function details(value: unknown): BookDetails {
  if (value === 0) return NO_DETAILS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotShapeError('read details are not an object');
  return value as BookDetails;
}

/** Reads that name only the book share one empty object, as in the projection. */
const NO_DETAILS: BookDetails = Object.freeze({});

const isEmpty = (d: BookDetails): boolean => d.title === undefined && d.author === undefined && d.type === undefined && d.year === undefined && d.isbn === undefined;

export function* encodeLastRead(view: LastReadView): Generator<unknown> {
  const authors = authorTable(view.authors);
  yield { kind: 'seq', items: [view.seq] };
  yield* inChunks(authors.entries, 'authors', (entry) => entry);
  yield* inChunks(view.books, 'books', ([id, b]) => [id, b.title ?? null, authors.ref(b.author), b.type ?? null, b.year ?? null]);
  yield* inChunks(view.reads, 'reads', ([key, r]) => [key, r.id, r.readAt, r.readAtMs, r.seq, isEmpty(r.details) ? 0 : r.details]);
  yield* inChunks(view.removed, 'removed', (id) => id);
}

export function lastReadDecoder(initial: () => LastReadView) {
  const view = initial();
  const lists: Author[][] = [];
  const author = authorsBack(lists);
  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'seq':
          view.seq = num(items[0]);
          return;
        case 'authors':
          for (const item of items) {
            const [key, list] = tuple(item, 2);
            if (!Array.isArray(list)) throw new SnapshotShapeError('an author list is not a list');
            view.authors.set(str(key), list as Author[]);
            lists.push(list as Author[]);
          }
          return;
        case 'books':
          for (const item of items) {
            const f = tuple(item, 5);
            view.books.set(str(f[0]), { title: orUndefined(f[1]), author: author(f[2]) ?? undefined, type: orUndefined(f[3]), year: orUndefined(f[4]) });
          }
          return;
        case 'reads':
          for (const item of items) {
            const f = tuple(item, 6);
            const read: Read = { id: strOrNull(f[1]), readAt: str(f[2]), readAtMs: num(f[3]), seq: num(f[4]), details: details(f[5]) };
            view.reads.set(str(f[0]), read);
          }
          return;
        case 'removed':
          for (const id of items) view.removed.add(str(id));
          return;
        default:
          throw new SnapshotShapeError(`unknown chunk kind ${kind}`);
      }
    },
    view: (): LastReadView => view,
  };
}
