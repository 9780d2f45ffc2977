/** The aggregate's book states and recorded commands in snapshot chunks and back. */
import type { BookState } from '../book/book.decider.js';
import type { BookStates, RecordedCommand } from './book-states.projection.js';
import { chunkOf, inChunks, num, numOrNull, SnapshotShapeError, str, stringColumn, stringsBack, tuple } from './snapshot-chunks.js';

const object = <T>(value: unknown): T => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SnapshotShapeError('a snapshot value is not an object');
  return value as T;
};

const STATUSES = new Set(['absent', 'unread', 'reading', 'read']);

export function* encodeBookStates(view: BookStates): Generator<unknown> {
  // Column by column, ids joined end to end and statuses by table: a few long values parse faster than an object per book.
  for (const { items } of inChunks(view.books, 'books', (entry) => entry)) {
    const known = (state: BookState) => (state.status === 'absent' ? null : state);
    yield {
      kind: 'books',
      items: [
        stringColumn(items.map(([id]) => id)),
        stringColumn(items.map(([, state]) => state.status)),
        items.map(([, state]) => known(state)?.removed ?? null),
        items.map(([, state]) => state.version),
        items.map(([, state]) => known(state)?.readCount ?? null),
        items.map(([, state]) => known(state)?.rating ?? null),
      ],
    };
  }
  yield* inChunks(view.commands, 'commands', (entry) => entry);
}

export function bookStatesDecoder(initial: () => BookStates) {
  const view = initial();
  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'books': {
          const [idColumn, statusColumn, removed, versions, readCounts, ratings] = tuple(items, 6) as unknown[][];
          const length = Array.isArray(versions) ? versions.length : -1;
          for (const column of [removed, versions, readCounts, ratings])
            if (!Array.isArray(column) || column.length !== length) throw new SnapshotShapeError('a books chunk has a ragged column');
          const [ids, statuses] = [stringsBack(idColumn, length), stringsBack(statusColumn, length)];
          for (let i = 0; i < length; i++) {
            const status = statuses[i];
            if (typeof status !== 'string' || !STATUSES.has(status)) throw new SnapshotShapeError('a book has an unknown status');
            const state: BookState =
              status === 'absent'
                ? { status: 'absent', version: 0 }
                : {
                    status: status as Exclude<BookState['status'], 'absent'>,
                    removed: removed![i] === true,
                    version: num(versions![i]),
                    readCount: num(readCounts![i]),
                    rating: numOrNull(ratings![i]),
                  };
            view.books.set(str(ids[i]), state);
          }
          return;
        }
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
    view: (): BookStates => view,
  };
}
