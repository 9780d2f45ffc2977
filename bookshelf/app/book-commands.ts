/**
 * Handles Book commands: one book at a time, checked against its history by the decider,
 * appended to the log, and answered only once Kafka acknowledged. A command under an Idempotency-Key goes through
 * idempotency-keys.ts, which answers a key that comes again without writing anything new.
 */
import { decide } from '../domain/book/book.decider.js';
import type { BookCommand } from '../domain/book/book.commands.js';
import type { BookDetails, RecordedEvent } from '../domain/events.js';
import { bookState, type BookStates, type RecordedCommand } from '../domain/projections/book-states.projection.js';
import { UnavailableError } from './errors.js';
import { createIdempotencyKeys } from './idempotency-keys.js';
import { formatPosition } from './log-position.js';

export interface CommandAnswer {
  /** The book as added, for add-book. */
  book?: BookDetails & { id: string; title: string };
  /** The position token of what was written; null when nothing had to be. */
  position: string | null;
  /** True when this answer repeats an earlier command with the same key. */
  replayed: boolean;
}

export interface BookStore {
  view(): BookStates;
  isCaughtUp(): boolean;
  /** Applies events this process appended, without waiting to read them back. */
  applyOwn(events: RecordedEvent[]): void;
}

export interface BookCommandsOptions {
  store: BookStore;
  /** Appends the events of one command together; resolves with their positions once acknowledged. */
  append: (events: RecordedEvent[]) => Promise<{ partition: number; offset: number }[]>;
  newId: () => string;
  now: () => string;
}

export function createBookCommands({ store, append, newId, now }: BookCommandsOptions) {
  const locks = new Map<string, Promise<unknown>>();
  const keys = createIdempotencyKeys<CommandAnswer>({
    recorded: (key) => store.view().commands.get(key),
    answerOf: (command: RecordedCommand) => ({
      ...(command.added && { book: command.added }),
      position: command.position ? formatPosition(new Map([[command.position.partition, command.position.offset]])) : null,
      replayed: true,
    }),
  });

  /** Runs `task` after every earlier task of the same book. */
  function oneAtATime<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = locks.get(id) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.catch(() => undefined);
    locks.set(id, settled);
    void settled.then(() => {
      if (locks.get(id) === settled) locks.delete(id);
    });
    return run;
  }

  async function run(command: BookCommand, key: string | null, fingerprint: string | null): Promise<CommandAnswer> {
    const { id } = command.data;
    return oneAtATime(id, async () => {
      const events = decide(command, bookState(store.view(), id));
      if (events.length === 0) return { position: null, replayed: false };
      const version = bookState(store.view(), id).version;
      const created = now();
      const recorded: RecordedEvent[] = events.map((event, i) => ({
        ...event,
        metadata: {
          eventId: newId(),
          created,
          aggregate: id,
          version: version + i + 1,
          command: key,
          ...(key !== null && fingerprint !== null && { fingerprint }),
        },
      }));
      const positions = await append(recorded);
      recorded.forEach((event, i) => {
        const position = positions[i];
        if (position) event.metadata.position = position;
      });
      store.applyOwn(recorded);
      const last = positions[positions.length - 1];
      return {
        ...(command.type === 'add-book' && { book: { ...command.data } }),
        position: last ? formatPosition(new Map([[last.partition, last.offset]])) : null,
        replayed: false,
      };
    });
  }

  return {
    /** `fingerprint`: a digest of the request (method, route, body) that carried `key`. */
    async execute(command: BookCommand, key?: string, fingerprint?: string): Promise<CommandAnswer> {
      if (!store.isCaughtUp()) throw new UnavailableError('catching_up', 'still reading the log; try again shortly');
      if (key === undefined) return run(command, null, null);
      const print = fingerprint ?? null;
      return keys.once(key, { kind: command.type, aggregate: command.data.id, fingerprint: print }, () => run(command, key, print));
    },
  };
}

export type BookCommands = ReturnType<typeof createBookCommands>;
