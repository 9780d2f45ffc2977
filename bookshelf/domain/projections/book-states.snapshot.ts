/** The aggregate's book states and recorded commands in snapshot chunks and back. */
import type { BookState } from '../book/book.decider.js';
import type { BookStates, RecordedCommand } from './book-states.projection.js';
import { chunkOf, inChunks, SnapshotShapeError, str, tuple } from './snapshot-chunks.js';

const object = <T>(value: unknown): T => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotShapeError('a snapshot value is not an object');
  return value as T;
};

export function* encodeBookStates(view: BookStates): Generator<unknown> {
  yield* inChunks(view.books, 'books', (entry) => entry);
  yield* inChunks(view.commands, 'commands', (entry) => entry);
}

export function bookStatesDecoder(initial: () => BookStates) {
  const view = initial();
  return {
    add(chunk: unknown): void {
      const { kind, items } = chunkOf(chunk);
      switch (kind) {
        case 'books':
          for (const item of items) {
            const [id, state] = tuple(item, 2);
            view.books.set(str(id), object<BookState>(state));
          }
          return;
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
