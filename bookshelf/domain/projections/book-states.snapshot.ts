/** The aggregate's book states and recorded commands in snapshot chunks and back. */
import type { BookState } from '../book/book.decider.js';
import type { BookStates, RecordedCommand } from './book-states.projection.js';
import { chunkOf, inChunks, SnapshotShapeError, str, tuple } from './snapshot-chunks.js';
import { packNumbers, packStrings } from './packed-columns.js';
import { NumbersReader, StringsReader } from './packed-column-readers.js';
import { ChunkedEntries } from './packed-entries.js';
import { restoreSegments, snapshotRuns, type PackedSegment } from './packed-segments.js';

const object = <T>(value: unknown): T => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SnapshotShapeError('a snapshot value is not an object');
  return value as T;
};

const STATUSES = new Set(['absent', 'unread', 'reading', 'read']);

/** Writes a restored books chunk again, from its packed columns. */
type ItemsAgain = () => unknown[];

export function* encodeBookStates(view: BookStates): Generator<unknown> {
  // Column by column, packed: read back, a book's state is built only when the book is asked for; a restored chunk
  // none of whose books changed since is written as it came, without building them.
  const unchanged = ({ first, length }: PackedSegment<ItemsAgain>) => view.books.untouched(first, length);
  for (const run of snapshotRuns(view.books, unchanged)) {
    if ('again' in run) {
      yield { kind: 'books', items: run.again() };
      continue;
    }
    const items = run.entries;
    const known = (state: BookState) => (state.status === 'absent' ? null : state);
    const removed = (state: BookState) => {
      const flag = known(state)?.removed;
      return flag === undefined ? null : flag ? 1 : 0;
    };
    yield {
      kind: 'books',
      items: [
        items.length,
        packStrings(items.map(([id]) => id)),
        packStrings(items.map(([, state]) => state.status)),
        packNumbers(items.map(([, state]) => removed(state))),
        packNumbers(items.map(([, state]) => state.version)),
        packNumbers(items.map(([, state]) => known(state)?.readCount ?? null)),
        packNumbers(items.map(([, state]) => known(state)?.rating ?? null)),
      ],
    };
  }
  yield* inChunks(view.commands, 'commands', (entry) => entry);
}

export function bookStatesDecoder(initial: () => BookStates) {
  const view = initial();
  const books = new ChunkedEntries<BookState>();
  const segments: PackedSegment<ItemsAgain>[] = [];

  function addBooks(items: unknown[]): void {
    const [size, idColumn, statusColumn, removedColumn, versionColumn, readCountColumn, ratingColumn] = tuple(items, 7);
    if (!Number.isSafeInteger(size) || (size as number) < 0) throw new SnapshotShapeError('a books chunk has no count');
    const length = size as number;
    const ids = new StringsReader(idColumn, length);
    const statuses = new StringsReader(statusColumn, length);
    const [removed, versions, readCounts, ratings] = [removedColumn, versionColumn, readCountColumn, ratingColumn].map(
      (column) => new NumbersReader(column, length),
    );
    for (let i = 0; i < length; i++) {
      const status = statuses.at(i);
      if (status === null || !STATUSES.has(status)) throw new SnapshotShapeError('a book has an unknown status');
      if (Number.isNaN(versions!.at(i)) || (status !== 'absent' && Number.isNaN(readCounts!.at(i))))
        throw new SnapshotShapeError('a book has no version or read count');
    }
    const again = () => [
      length,
      ids.packed(),
      statuses.packed(),
      ...[removed!, versions!, readCounts!, ratings!].map((column) => column.packed()),
    ];
    segments.push({ first: books.size, length, again });
    books.add(ids, (i): BookState => {
      const status = statuses.at(i) as BookState['status'];
      if (status === 'absent') return { status: 'absent', version: 0 };
      const rating = ratings!.at(i);
      return {
        status,
        removed: removed!.at(i) === 1,
        version: versions!.at(i),
        readCount: readCounts!.at(i),
        rating: Number.isNaN(rating) ? null : rating,
      };
    });
  }

  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'books':
          return addBooks(items);
        case 'commands':
          for (const item of items) {
            const [key, command] = tuple(item, 2);
            view.commands.set(str(key), object<RecordedCommand>(command));
          }
          return;
        default:
          throw new SnapshotShapeError(`unknown chunk kind ${kind}`);
      }
    },
    view(): BookStates {
      books.seal();
      if (books.size > 0) restoreSegments(view.books, books, segments);
      return view;
    },
  };
}
