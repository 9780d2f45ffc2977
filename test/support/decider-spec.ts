/** given(events).when(command).then(events) for the Book decider, after emmett's DeciderSpecification. */
import { expect } from 'vitest';
import type { BookCommand } from '../../bookshelf/domain/book/book.commands.js';
import { decide, foldBook } from '../../bookshelf/domain/book/book.decider.js';
import { BookError, type BookErrorCode } from '../../bookshelf/domain/book/book.errors.js';
import type { BookEvent } from '../../bookshelf/domain/events.js';

export function given(events: BookEvent[]) {
  return {
    when(command: BookCommand) {
      const run = () => decide(command, foldBook(events));
      return {
        then: (expected: BookEvent[]): void => expect(run()).toEqual(expected),
        thenThrows(code: BookErrorCode): void {
          expect(run).toThrow(BookError);
          expect(run).toThrow(expect.objectContaining({ code }));
        },
      };
    },
  };
}
