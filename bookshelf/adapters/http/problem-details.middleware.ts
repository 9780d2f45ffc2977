import type { Middleware } from 'koa';
import type { Logger } from '../../app/ports.js';
import { ProblemError, toProblem } from './problem.js';

/** First in the chain: every error, and every unmatched route, leaves as application/problem+json. */
export function problemDetails(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body == null) {
        if (ctx.status === 404) throw new ProblemError('not_found', `no route for ${ctx.method} ${ctx.path}`);
        if (ctx.status === 405 || ctx.status === 501)
          throw new ProblemError(
            'method_not_allowed',
            `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow')}`,
          );
      }
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500 && problem.code === 'internal')
        logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
      const extra = error instanceof ProblemError ? error.extra : {};
      ctx.set(extra.headers ?? {});
      const retryAfter = extra.retryAfter ?? (error as { retryAfter?: unknown }).retryAfter;
      if (typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
      ctx.status = problem.status;
      ctx.body = problem;
      ctx.type = 'application/problem+json';
    }
  };
}
