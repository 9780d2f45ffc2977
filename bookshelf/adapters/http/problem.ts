/** RFC 9457 problem details: the one shape of every error Bookshelf answers with. */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  instance?: string;
}

const catalogue: Record<string, { status: number; title: string }> = {
  bad_request: { status: 400, title: 'Request is not valid HTTP' },
  invalid_json: { status: 400, title: 'Body is not valid JSON' },
  invalid_body: { status: 400, title: 'Body has a wrong field' },
  invalid_query: { status: 400, title: 'Query has a wrong parameter' },
  invalid_position: { status: 400, title: 'Position token is malformed' },
  position_beyond_log: { status: 409, title: 'Position is beyond the end of the log' },
  unauthorized: { status: 401, title: 'Authentication required' },
  not_found: { status: 404, title: 'Not found' },
  unknown_book: { status: 404, title: 'No such book' },
  no_snapshot: { status: 404, title: 'No snapshot to hand over' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'Request took too long' },
  book_exists: { status: 409, title: 'Book already on the shelf' },
  book_removed: { status: 409, title: 'Book was removed' },
  not_read_yet: { status: 409, title: 'Book not read yet' },
  payload_too_large: { status: 413, title: 'Body too large' },
  unsupported_media_type: { status: 415, title: 'Body must be JSON' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key already used for another command' },
  headers_too_large: { status: 431, title: 'Request headers too large' },
  catching_up: { status: 503, title: 'Still reading the log' },
  not_caught_up: { status: 503, title: 'Position not reached yet' },
  broker_unavailable: { status: 503, title: 'Kafka unavailable' },
  no_instance: { status: 503, title: 'No healthy instance' },
  rebalancing: { status: 503, title: 'Partition changing hands' },
  bad_gateway: { status: 502, title: 'Upstream failed' },
  upstream_timeout: { status: 504, title: 'Upstream did not answer in time' },
  internal: { status: 500, title: 'Internal error' },
};

const codeByStatus: Record<number, string> = {
  400: 'invalid_json',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export const problemType = (code: string): string => `/problems/${code}`;

/** An error that knows its problem code; anything with a `code` in the catalogue works too. */
export class ProblemError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: { field?: string; retryAfter?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export const isKnownCode = (code: unknown): code is string => typeof code === 'string' && code in catalogue;

/** The problem for any thrown value: known codes keep theirs, http errors map by status, the rest is 500. */
export function toProblem(error: unknown): Problem {
  const err = error as {
    code?: unknown;
    status?: unknown;
    expose?: unknown;
    message?: string;
    field?: unknown;
    extra?: { field?: string };
  };
  let code: string;
  if (isKnownCode(err?.code)) code = err.code;
  else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) code = codeByStatus[err.status] ?? 'invalid_body';
  else code = 'internal';
  const entry = catalogue[code]!;
  const status =
    typeof err?.status === 'number' && err.status >= 400 && err.status < 500 && !isKnownCode(err?.code) ? err.status : entry.status;
  const detail = code === 'internal' ? 'An unexpected error occurred; it has been logged.' : err?.message || entry.title;
  const field = err?.extra?.field ?? (typeof err?.field === 'string' ? err.field : undefined);
  return { type: problemType(code), title: entry.title, status, detail, code, ...(field !== undefined && { field }) };
}
