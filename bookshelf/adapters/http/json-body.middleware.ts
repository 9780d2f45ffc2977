import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware, Next } from 'koa';
import { ProblemError } from './problem.js';

export const MAX_BODY_BYTES = 64 * 1024;
const methodsWithBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const parseJson = bodyParser({
  enableTypes: ['json'],
  jsonLimit: MAX_BODY_BYTES,
  jsonStrict: false,
  onError: (error, ctx) => {
    throw unreadable(error, ctx);
  },
});

/**
 * A body that could not be read. What is left of it is drained, so that the connection can carry the next
 * request; a body that does not decode as its Content-Encoding says is the client's error, not ours.
 */
function unreadable(error: Error, ctx: Context): Error {
  if (!ctx.req.complete) ctx.req.resume();
  // Errors of reading carry an HTTP status; one without, on an encoded body, is zlib's or brotli's.
  const encoding = ctx.get('Content-Encoding').trim().toLowerCase();
  if ((error as { status?: unknown }).status === undefined && encoding !== '' && encoding !== 'identity') {
    return new ProblemError('invalid_json', `body does not decode as its Content-Encoding (${encoding}) says: ${error.message}`);
  }
  return error;
}

/** JSON bodies only, at most 64 KiB; a request without a body passes with `{}`. */
export function jsonBody(): Middleware {
  // A read passes straight on, without a frame of its own.
  return (ctx, next) => (methodsWithBody.has(ctx.method) ? readBody(ctx, next) : next());
}

async function readBody(ctx: Context, next: Next): Promise<void> {
  const length = ctx.request.length;
  const hasBody = (length !== undefined && length > 0) || ctx.get('transfer-encoding') !== '';
  if (!hasBody) {
    ctx.request.body = {};
    await next();
    return;
  }
  if (length !== undefined && length > MAX_BODY_BYTES) {
    throw new ProblemError('payload_too_large', `body is ${length} bytes; at most ${MAX_BODY_BYTES} are accepted`);
  }
  if (!ctx.is('application/json', 'application/*+json')) {
    throw new ProblemError('unsupported_media_type', `Content-Type must be application/json, not ${ctx.get('content-type') || 'missing'}`);
  }
  await parseJson(ctx, async () => {
    await next();
  });
}
