import Koa, { type Middleware } from 'koa';
import type Router from '@koa/router';
import type { Logger } from '../../app/ports.js';
import { jsonBody } from './json-body.middleware.js';
import type { Metrics } from './metrics.js';
import { problemDetails } from './problem-details.middleware.js';
import { serviceRoutes, type ServiceProbes } from './service.routes.js';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  probes: ServiceProbes;
  routers: Router[];
  /** Runs before the body is read, e.g. a bearer token check. */
  guard?: Middleware;
  /** Routes dispatched by path before the routers: the hot reads (fixed-routes.ts). */
  front?: Middleware;
}

/** The Koa app of every service: problem details first, then timing, body parsing and the routes. */
export function createHttpApp({ logger, metrics, probes, routers, guard, front }: HttpAppOptions): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (err: Error) => logger.debug({ err: err.message }, 'connection error'));
  app.use(problemDetails(logger));
  app.use(metrics.timing);
  if (guard) app.use(guard);
  app.use(jsonBody());
  if (front) app.use(front);
  // Side by side rather than nested under a root router: a request passes through fewer layers.
  for (const router of [serviceRoutes(probes, metrics), ...routers]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
