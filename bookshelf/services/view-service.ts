/**
 * The shared runner of every view: folds the topic into its projection, serves its routes,
 * registers in Consul and answers /health by how far it has read.
 */
import Router from '@koa/router';
import type { Projection } from '../domain/projection.js';
import { createMetrics } from '../adapters/http/metrics.js';
import { readYourWrites } from '../adapters/http/read-your-writes.middleware.js';
import type { EntryDefaults, ServiceConfig } from '../adapters/cli/config.js';
import { followLog } from './log-follower.js';
import { startServiceShell, type RunningService, type ServiceDeps } from './service-shell.js';
import { snapshotRouter } from './snapshot-route.js';

/** Read access to a view's state, with JSON answers cached until the next applied event. */
export interface ViewReader<V> {
  view(): V;
  /** The JSON text of `build()`, built again only after the view changed. */
  json(key: string, build: (view: V) => unknown): string;
}

export interface ViewDefinition<V> {
  defaults: EntryDefaults;
  projection: Projection<V>;
  routes(router: Router, reader: ViewReader<V>, config: ServiceConfig): void;
}

export interface RunningView extends RunningService {
  isCaughtUp(): boolean;
  /** The projection's state as it is now (tests compare whole views). */
  view(): unknown;
}

export async function startView<V>(definition: ViewDefinition<V>, config: ServiceConfig, { logger }: ServiceDeps): Promise<RunningView> {
  const metrics = createMetrics({ service: config.name });
  const log = followLog({ projection: definition.projection, config, logger, metrics });
  const { runner } = log;

  const cache = new Map<string, { version: number; json: string }>();
  const reader: ViewReader<V> = {
    view: runner.view,
    json(key, build) {
      const hit = cache.get(key);
      if (hit && hit.version === runner.version()) return hit.json;
      const json = JSON.stringify(build(runner.view()));
      if (cache.size > 1000) cache.clear();
      cache.set(key, { version: runner.version(), json });
      return json;
    },
  };
  const router = new Router();
  router.use(readYourWrites(runner));
  definition.routes(router, reader, config);

  const shell = await startServiceShell({
    config,
    logger,
    metrics,
    probes: { health: runner.health, rejected: runner.rejected },
    routers: [snapshotRouter(config, log.snapshotSource), router],
    stopParts: log.stop,
    drain: runner.close,
  });
  log.start(shell.id);
  return { ...shell, isCaughtUp: runner.isCaughtUp, view: runner.view };
}
