import { describe, expect, it } from 'vitest';
import { IdempotencyKeyReusedError, UnavailableError } from '../../bookshelf/app/errors.js';
import { createIdempotencyKeys, type KeyedRequest } from '../../bookshelf/app/idempotency-keys.js';
import type { RecordedCommand } from '../../bookshelf/domain/projections/book-states.projection.js';

interface Answer {
  said: string;
  replayed: boolean;
}

function setup(log: Record<string, RecordedCommand> = {}) {
  let attempts = 0;
  const keys = createIdempotencyKeys<Answer>({
    recorded: (key) => log[key],
    answerOf: (command) => ({ said: `from the log: ${command.kind}`, replayed: true }),
  });
  const counted =
    <T>(task: () => Promise<T>) =>
    () => {
      attempts++;
      return task();
    };
  return { keys, counted, attempts: () => attempts };
}

const finishB1: KeyedRequest = { kind: 'finish-book', aggregate: 'b1', fingerprint: 'print-1' };
const answered = (said: string) => () => Promise.resolve({ said, replayed: false });

describe('idempotency keys', () => {
  describe('when the key is in the log', () => {
    const recorded: RecordedCommand = { kind: 'finish-book', aggregate: 'b1', fingerprint: 'print-1', added: null, position: null };

    it('answers the same request from the log, without a new attempt', async () => {
      const { keys, counted, attempts } = setup({ k: recorded });
      expect(await keys.once('k', finishB1, counted(answered('new')))).toEqual({ said: 'from the log: finish-book', replayed: true });
      expect(attempts()).toBe(0);
    });

    it('refuses another request', async () => {
      const { keys, counted } = setup({ k: recorded });
      await expect(keys.once('k', { ...finishB1, fingerprint: 'print-2' }, counted(answered('new')))).rejects.toThrow(
        IdempotencyKeyReusedError,
      );
    });
  });

  describe('when the first request is still in flight', () => {
    it('gives the same request its answer, replayed, and refuses another', async () => {
      const { keys, counted, attempts } = setup();
      let finish!: (answer: Answer) => void;
      const first = keys.once(
        'k',
        finishB1,
        counted(() => new Promise<Answer>((resolve) => (finish = resolve))),
      );
      const again = keys.once('k', finishB1, counted(answered('second')));
      await expect(keys.once('k', { ...finishB1, aggregate: 'b2', fingerprint: null }, counted(answered('other')))).rejects.toThrow(
        IdempotencyKeyReusedError,
      );
      finish({ said: 'first', replayed: false });
      expect(await first).toEqual({ said: 'first', replayed: false });
      expect(await again).toEqual({ said: 'first', replayed: true });
      expect(attempts()).toBe(1);
    });
  });

  describe('when the first request was refused', () => {
    it('refuses the same request again with the same error, without a new attempt', async () => {
      const { keys, counted, attempts } = setup();
      const refusal = new Error('book_removed');
      await expect(
        keys.once(
          'k',
          finishB1,
          counted(() => Promise.reject(refusal)),
        ),
      ).rejects.toBe(refusal);
      await expect(keys.once('k', finishB1, counted(answered('second')))).rejects.toBe(refusal);
      expect(attempts()).toBe(1);
    });

    it('tries again when the broker was unavailable', async () => {
      const { keys, counted, attempts } = setup();
      const down = new UnavailableError('broker_unavailable', 'down');
      await expect(
        keys.once(
          'k',
          finishB1,
          counted(() => Promise.reject(down)),
        ),
      ).rejects.toBe(down);
      expect(await keys.once('k', finishB1, counted(answered('second')))).toEqual({ said: 'second', replayed: false });
      expect(attempts()).toBe(2);
    });
  });
});
