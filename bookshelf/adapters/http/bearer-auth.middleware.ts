import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { ProblemError } from './problem.js';

export interface BearerAuthOptions {
  token: string;
  /** Guard reads (GET, HEAD, OPTIONS) too, not only commands. */
  reads?: boolean;
}

const COMMANDS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Probes for Consul and Prometheus, never guarded. */
const ALWAYS_OPEN = new Set(['/health', '/metrics']);

// Hashes have one length whatever the input, so the comparison takes the same time for every wrong token.
const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** `Authorization: Bearer <token>` on commands (and on reads when asked); 401 problem+json otherwise. */
export function bearerAuth({ token, reads = false }: BearerAuthOptions): Middleware {
  const expected = digest(token);
  return async (ctx, next) => {
    if (ALWAYS_OPEN.has(ctx.path) || (!reads && !COMMANDS.has(ctx.method))) {
      await next();
      return;
    }
    const match = /^Bearer +(\S+) *$/i.exec(ctx.get('Authorization'));
    if (match === null) {
      throw new ProblemError('unauthorized', 'this request needs an Authorization: Bearer token', {
        headers: { 'WWW-Authenticate': 'Bearer realm="bookshelf"' },
      });
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new ProblemError('unauthorized', 'the bearer token is not valid', {
        headers: { 'WWW-Authenticate': 'Bearer realm="bookshelf", error="invalid_token"' },
      });
    }
    await next();
  };
}
