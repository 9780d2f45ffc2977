/** What a view's read routes are given, and what they hand back to be served. */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ReadPositions } from './read-your-writes.middleware.js';

/** Read access to a view's state, with JSON answers cached until the next applied event. */
export interface ViewReader<V> {
  view(): V;
  /** The JSON text of `build()`, built again only after the view changed. */
  json(key: string, build: (view: V) => unknown): string;
}

export interface ViewRoutesDeps<V> {
  reader: ViewReader<V>;
  /** Read your writes, the position header and the ETag: around every read route. */
  positions: ReadPositions;
}

export interface ViewRoutes {
  /** The routes without parameters, dispatched before every router (see fixed-routes.ts). */
  fixed: Middleware;
  /** The routes with parameters, after the service's other routers, which they must not shadow (`/:id` and `/health`). */
  router?: Router;
}
