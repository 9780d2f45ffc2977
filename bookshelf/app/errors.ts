/** Errors of the app layer: the service cannot do it now, but may soon. */

export type UnavailableCode = 'catching_up' | 'broker_unavailable' | 'not_caught_up' | 'no_instance' | 'rebalancing';

export class UnavailableError extends Error {
  readonly retriable = true;

  constructor(
    readonly code: UnavailableCode,
    message: string,
    /** Seconds a client should wait before trying again. */
    readonly retryAfter = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An Idempotency-Key already used for another command, or for another book: there is no first answer to repeat. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused';
  readonly field = 'Idempotency-Key';
}
