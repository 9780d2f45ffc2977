/**
 * GET routes without parameters, dispatched by one lookup of the path before any router: the hot reads of a view
 * pay for neither @koa/router's matching nor the routers beside it. Other paths go on to the routers.
 */
import type { Context, Middleware } from 'koa';
import type { RoutedContext } from './metrics.js';

export type RouteHandler = (ctx: Context) => void | Promise<void>;

export interface FixedRoutesOptions {
  /** Runs around every handler, e.g. read-your-writes. */
  around?: Middleware;
}

/** As @koa/router answers a GET route: HEAD too. */
const ALLOW = 'HEAD, GET';

export function fixedRoutes(routes: Record<string, RouteHandler>, { around }: FixedRoutesOptions = {}): Middleware {
  const table = new Map<string, (ctx: Context) => void | Promise<void>>();
  for (const [path, handler] of Object.entries(routes)) {
    table.set(path, around ? (ctx) => around(ctx, async () => handler(ctx)) as Promise<void> : handler);
  }
  return (ctx, next) => {
    const route = table.get(ctx.path);
    if (route === undefined) return next();
    (ctx as RoutedContext).routePattern = ctx.path;
    const method = ctx.method;
    if (method === 'GET' || method === 'HEAD') return route(ctx);
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
