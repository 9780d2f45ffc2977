import type { Middleware } from 'koa';
import type { Logger } from '../../app/ports.js';
import { ProblemError, toProblem } from './problem.js';

/** First in the chain: every error, and every unmatched route, leaves as application/problem+json. */
export function problemDetails(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new ProblemError('not_found', `no route for ${ctx.method} ${ctx.path}`);
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500 && problem.code === 'internal') logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
      const extra = error instanceof ProblemError ? error.extra : {};
      ctx.set(extra.headers ?? {});
      if (extra.retryAfter !== undefined) ctx.set('Retry-After', String(extra.retryAfter));
      if (problem.status === 405) {
        const allow = (error as { headers?: { allow?: string } }).headers?.allow;
        if (allow) ctx.set('Allow', allow);
      }
      ctx.status = problem.status;
      ctx.body = problem;
      ctx.type = 'application/problem+json';
    }
  };
}
