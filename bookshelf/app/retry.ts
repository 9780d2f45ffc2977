/**
 * The one retry: tries an operation again after a growing, capped, jittered pause, for as long as its
 * failures are retriable, the attempts last and nobody stopped it. Policy only; the clock is injected.
 */
import { setTimeout as wait } from 'node:timers/promises';

/**
 * Which failures are tried again; any other is thrown at once.
 * - `unless-final` (the default): every error but one marked `retriable: false` (kafkajs's "retries exceeded" is not final)
 * - `marked`: only errors marked `retriable: true` (kafkajs's errors, `UnavailableError`, adapter errors)
 * - `any`: every error, for a loop that keeps a connection for the life of the process
 */
export type RetryOn = 'unless-final' | 'marked' | 'any';

export interface RetryOptions {
  /** The pause after the first failure. */
  initialMs: number;
  /** No pause is longer than this (before jitter). */
  maxMs: number;
  /** Each pause is this many times the one before; 1 keeps it constant. */
  factor?: number;
  /** Spreads each pause by up to this fraction either way (0.2: from 0.8 to 1.2 times). */
  jitter?: number;
  /** Gives up after this many attempts in all, throwing the last failure. */
  attempts?: number;
  retryOn?: RetryOn;
  /** Asked after each failure and after each pause: once true, the last failure is thrown. */
  stop?: () => boolean;
  /** Like `stop`, and its abort also ends a pause under way. */
  signal?: AbortSignal;
  /** Called before each pause, with the failure, the attempt that failed (from 0) and the pause; awaited. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** kafkajs's retrier marks what it gave up on `retriable: false`; it was retrying it, so a loop around it may too. */
const RAN_OUT = 'KafkaJSNumberOfRetriesExceeded';

export function isRetriable(error: unknown, retryOn: RetryOn = 'unless-final'): boolean {
  if (retryOn === 'any') return true;
  const { retriable, name } = (error ?? {}) as { retriable?: unknown; name?: unknown };
  if (retryOn === 'marked') return retriable === true;
  return retriable !== false || name === RAN_OUT;
}

/** The pause after failed attempt `attempt` (from 0). */
export function backoffDelay(
  options: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor' | 'jitter'>,
  attempt: number,
  random = Math.random,
) {
  const { initialMs, maxMs, factor = 2, jitter = 0 } = options;
  const capped = Math.min(maxMs, initialMs * factor ** attempt);
  return jitter === 0 ? capped : capped * (1 - jitter + random() * 2 * jitter);
}

/** Waits `ms`, or less when `signal` aborts meanwhile; never rejects. */
export const pause = (ms: number, signal?: AbortSignal): Promise<void> => wait(ms, undefined, { signal }).catch(() => undefined);

export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts = Infinity, retryOn, signal, onRetry, sleep = pause, random = Math.random } = options;
  const stopped = () => signal?.aborted === true || options.stop?.() === true;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isRetriable(error, retryOn) || attempt + 1 >= attempts || stopped()) throw error;
      const delayMs = backoffDelay(options, attempt, random);
      await onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, signal);
      if (stopped()) throw error;
    }
  }
}
