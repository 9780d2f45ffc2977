import { describe, expect, it } from 'vitest';
import { createBookCommands } from '../../bookshelf/app/book-commands.js';
import { IdempotencyKeyReusedError, UnavailableError } from '../../bookshelf/app/errors.js';
import type { RecordedEvent } from '../../bookshelf/domain/events.js';
import { BookError } from '../../bookshelf/domain/book/book.errors.js';
import { decodeEvent, encodeEvent } from '../../bookshelf/domain/event-envelope.js';
import { bookStatesProjection } from '../../bookshelf/domain/projections/book-states.projection.js';

/** The app layer over an in-memory log: appends get consecutive offsets on partition 0. */
function setup({ caughtUp = true } = {}) {
  let view = bookStatesProjection.initialState();
  const log: RecordedEvent[] = [];
  let failNext = false;
  let ids = 0;
  const commands = createBookCommands({
    store: {
      view: () => view,
      isCaughtUp: () => caughtUp,
      applyOwn: (events) => events.forEach((event) => (view = bookStatesProjection.evolve(view, event))),
    },
    append: async (events) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failNext) {
        failNext = false;
        throw new UnavailableError('broker_unavailable', 'down');
      }
      return events.map((event) => ({ partition: 0, offset: log.push(event) - 1 }));
    },
    newId: () => `id-${++ids}`,
    now: () => '2026-11-22T10:00:00.000Z',
  });
  return { commands, log, failNextAppend: () => (failNext = true) };
}

const add = (id: string, title = 'Dune') => ({ type: 'add-book' as const, data: { id, title } });
const finish = (id: string) => ({ type: 'finish-book' as const, data: { id } });
const remove = (id: string) => ({ type: 'remove-book' as const, data: { id } });

describe('book commands', () => {
  it('numbers each book’s events and answers with the position of the last one', async () => {
    const { commands, log } = setup();
    expect(await commands.execute(add('b1'))).toEqual({ book: { id: 'b1', title: 'Dune' }, position: '0:0', replayed: false });
    expect(await commands.execute(finish('b1'))).toEqual({ position: '0:2', replayed: false });
    expect(log.map((event) => [event.type, event.metadata.aggregate, event.metadata.version])).toEqual([
      ['book-added', 'b1', 1],
      ['book-started', 'b1', 2],
      ['book-read', 'b1', 3],
    ]);
  });

  it('applies commands on one book one at a time', async () => {
    const { commands, log } = setup();
    await commands.execute(add('b1'));
    const results = await Promise.allSettled([
      commands.execute(remove('b1')),
      commands.execute(remove('b1')),
      commands.execute(finish('b1')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(log.map((event) => event.metadata.version)).toEqual([1, 2]);
  });

  describe('with an Idempotency-Key', () => {
    it('answers again as the first time and writes nothing', async () => {
      const { commands, log } = setup();
      const first = await commands.execute(add('b1'), 'k1');
      expect(await commands.execute(add('b-other-made-up-id'), 'k1')).toEqual({ ...first, replayed: true });
      expect(log).toHaveLength(1);
      expect(log[0]?.metadata.command).toBe('k1');
    });

    it('repeats a refusal', async () => {
      const { commands } = setup();
      await expect(commands.execute(finish('nope'), 'k1')).rejects.toThrow(BookError);
      await expect(commands.execute(finish('nope'), 'k1')).rejects.toMatchObject({ code: 'unknown_book' });
    });

    it('refuses the key for another command or another book', async () => {
      const { commands, log } = setup();
      await commands.execute(add('b1'), 'add');
      await commands.execute(add('b2'));
      await commands.execute(finish('b1'), 'finish');
      await expect(commands.execute(remove('b1'), 'finish')).rejects.toThrow(IdempotencyKeyReusedError);
      await expect(commands.execute(finish('b2'), 'finish')).rejects.toThrow(IdempotencyKeyReusedError);
      await expect(commands.execute(finish('b1'), 'add')).rejects.toThrow(IdempotencyKeyReusedError);
      expect(log).toHaveLength(4);
    });

    it('refuses the key with another body for the same command, and keeps the first answer', async () => {
      const { commands, log } = setup();
      const first = await commands.execute(add('b1', 'Dune'), 'k1', 'print-dune');
      await expect(commands.execute(add('b2', 'Emma'), 'k1', 'print-emma')).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      expect(await commands.execute(add('b3', 'Dune'), 'k1', 'print-dune')).toEqual({ ...first, replayed: true });
      expect(log).toHaveLength(1);
    });

    it('knows the fingerprint from the log alone: another instance, or after a restart', async () => {
      const { commands, log } = setup();
      await commands.execute(add('b1', 'Dune'), 'k1', 'print-dune');
      // What a second instance reads back: the events as they travel on the topic.
      let view = bookStatesProjection.initialState();
      for (const [offset, event] of log.entries()) {
        const decoded = decodeEvent(encodeEvent(event), { topic: 't', partition: 0, offset: String(offset), timestamp: '0' });
        if (decoded.kind === 'event') view = bookStatesProjection.evolve(view, decoded.event);
      }
      const other = createBookCommands({
        store: { view: () => view, isCaughtUp: () => true, applyOwn: () => undefined },
        append: () => Promise.resolve([]),
        newId: () => 'x',
        now: () => '',
      });
      await expect(other.execute(add('b2', 'Emma'), 'k1', 'print-emma')).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      expect(await other.execute(add('b9', 'Dune'), 'k1', 'print-dune')).toMatchObject({
        book: { id: 'b1', title: 'Dune' },
        position: '0:0',
        replayed: true,
      });
    });

    it('does not remember an unavailable broker: the same key may try again', async () => {
      const { commands, failNextAppend, log } = setup();
      failNextAppend();
      await expect(commands.execute(add('b1'), 'k1')).rejects.toMatchObject({ code: 'broker_unavailable' });
      expect(log).toHaveLength(0);
      expect(await commands.execute(add('b1'), 'k1')).toMatchObject({ position: '0:0', replayed: false });
    });
  });

  it('refuses everything with catching_up until the log is read', async () => {
    const { commands } = setup({ caughtUp: false });
    await expect(commands.execute(add('b1'))).rejects.toMatchObject({ code: 'catching_up' });
  });
});
