/**
 * GET routes without parameters, dispatched by one lookup of the path before any router: the hot reads of a view
 * pay for neither @koa/router's matching nor the routers beside it. Other paths go on to the routers.
 */
import type { Context, Middleware } from 'koa';
import type { RoutedContext } from './metrics.js';

/** Answers a read with the JSON text of its body. */
export type RouteHandler = (ctx: Context) => string;

export interface FixedRoutesOptions {
  /** Runs every handler and writes its answer, e.g. with read-your-writes around it. */
  around?: (ctx: Context, handler: RouteHandler) => void | Promise<void>;
}

/** As @koa/router answers a GET route: HEAD too. */
const ALLOW = 'HEAD, GET';

export function fixedRoutes(routes: Record<string, RouteHandler>, { around }: FixedRoutesOptions = {}): Middleware {
  const table = new Map<string, { pattern: string; run: (ctx: Context) => void | Promise<void> }>();
  for (const [pattern, handler] of Object.entries(routes)) {
    const answer = (ctx: Context): void => {
      ctx.type = 'application/json';
      ctx.body = handler(ctx);
    };
    table.set(pattern, { pattern, run: around ? (ctx) => around(ctx, handler) : answer });
  }
  return (ctx, next) => {
    const route = table.get(ctx.path);
    if (route === undefined) return next();
    (ctx as RoutedContext).routePattern = route.pattern;
    const method = ctx.req.method;
    if (method === 'GET' || method === 'HEAD') return route.run(ctx);
    // What @koa/router's allowedMethods says of a path it knows, asked with another method.
    ctx.set('Allow', ALLOW);
    if (method === 'OPTIONS') {
      ctx.status = 200;
      ctx.body = '';
    } else {
      ctx.status = 405;
    }
  };
}
