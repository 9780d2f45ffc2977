/**
 * What an Idempotency-Key gets when it comes again. The log's record of each key is the book-states projection's
 * (pure, in the domain); the policy is here: the same request gets its first answer again, whether that is in the
 * log, still in flight, or a refusal remembered; another request under the same key is refused.
 */
import type { BookCommandType } from '../domain/book/book.commands.js';
import type { RecordedCommand } from '../domain/projections/book-states.projection.js';
import { IdempotencyKeyReusedError, UnavailableError } from './errors.js';

const REMEMBERED_REFUSALS = 10_000;

/** What a key was used for. */
export interface KeyedRequest {
  kind: BookCommandType;
  aggregate: string;
  /** The digest of the request (method, route, body); null for events written before there were digests. */
  fingerprint: string | null;
}

export interface IdempotencyKeysOptions<Answer> {
  /** The command the log holds under a key, as the book-states projection recorded it. */
  recorded: (key: string) => RecordedCommand | undefined;
  /** The answer a command found in the log gets again. */
  answerOf: (command: RecordedCommand) => Answer;
}

export function createIdempotencyKeys<Answer extends { replayed: boolean }>({ recorded, answerOf }: IdempotencyKeysOptions<Answer>) {
  const inFlight = new Map<string, KeyedRequest & { answer: Promise<Answer> }>();
  const refusals = new Map<string, KeyedRequest & { error: Error }>();

  // The same key answers again only for the same request; without fingerprints (older events), for the same
  // command on the same book (a new book's id may be made up anew).
  const same = (key: string, first: KeyedRequest, request: KeyedRequest): boolean => {
    if (first.fingerprint !== null && request.fingerprint !== null) {
      if (first.fingerprint === request.fingerprint) return true;
      throw new IdempotencyKeyReusedError(
        `Idempotency-Key ${key} was used for another request (${first.kind} of book ${first.aggregate}, or another body)`,
      );
    }
    if (first.kind === request.kind && (request.kind === 'add-book' || first.aggregate === request.aggregate)) return true;
    throw new IdempotencyKeyReusedError(`Idempotency-Key ${key} was used for ${first.kind} of book ${first.aggregate}`);
  };

  return {
    /** The first answer to `request` under `key` again, or `attempt()` when the key is new. */
    async once(key: string, request: KeyedRequest, attempt: () => Promise<Answer>): Promise<Answer> {
      const command = recorded(key);
      if (command && same(key, command, request)) return answerOf(command);
      const refused = refusals.get(key);
      if (refused && same(key, refused, request)) throw refused.error;
      const pending = inFlight.get(key);
      if (pending && same(key, pending, request)) return { ...(await pending.answer), replayed: true };

      const answer = attempt();
      inFlight.set(key, { ...request, answer });
      try {
        return await answer;
      } catch (error) {
        // A refusal is the answer; an unavailable broker is not, and may be tried again.
        if (!(error instanceof UnavailableError)) {
          if (refusals.size >= REMEMBERED_REFUSALS) refusals.delete(refusals.keys().next().value as string);
          refusals.set(key, { ...request, error: error as Error });
        }
        throw error;
      } finally {
        inFlight.delete(key);
      }
    },
  };
}
