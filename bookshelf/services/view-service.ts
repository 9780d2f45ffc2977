/**
 * The shared runner of every view: folds the topic into its projection, serves its routes,
 * registers in Consul and answers /health by how far it has read.
 */
import type { RecordedEvent } from '../domain/events.js';
import type { Projection } from '../domain/projection.js';
import { createChangeFeed } from '../app/change-feed.js';
import { changesRoutes } from '../adapters/http/changes.routes.js';
import { createMetrics } from '../adapters/http/metrics.js';
import { readPositions } from '../adapters/http/read-your-writes.middleware.js';
import type { ViewReader, ViewRoutes, ViewRoutesDeps } from '../adapters/http/view-routes.js';
import type { EntryDefaults, ServiceConfig } from '../adapters/cli/config.js';
import { followLog } from './log-follower.js';
import { startServiceShell, type RunningService, type ServiceDeps } from './service-shell.js';
import { snapshotRouter } from './snapshot-route.js';

export interface ViewDefinition<V> {
  defaults: EntryDefaults;
  projection: Projection<V>;
  /** Its read routes, from a factory in adapters/http. */
  routes(deps: ViewRoutesDeps<V>, config: ServiceConfig): ViewRoutes;
  /**
   * What GET /changes says, besides the event, about the book a change touched: the view's answer for it now. Made
   * once from the configuration, since it runs for every change.
   */
  change?(config: ServiceConfig): (view: V, book: string | null) => object;
  /** Whether an applied event changed what the view shows; GET /changes sends only those. Without it, every one did. */
  changed?(view: V, event: RecordedEvent): boolean;
}

/** How many recent changes GET /changes can resume from. */
const CHANGES_KEPT = 10_000;

export interface RunningView extends RunningService {
  /** The projection's state as it is now (tests compare whole views). */
  view(): unknown;
}

export async function startView<V>(
  definition: ViewDefinition<V>,
  config: ServiceConfig,
  { logger, fetchWorkerFrom }: ServiceDeps,
): Promise<RunningView> {
  const metrics = createMetrics({ service: config.name });
  const feed = createChangeFeed({ capacity: CHANGES_KEPT });
  /** Tells Consul of a change of health at once; the shell's, once it runs (its registration starts with the health as it is then). */
  let healthChanged = (): void => {};
  const log = followLog({
    projection: definition.projection,
    config,
    logger,
    metrics,
    onApplied: (event, partition, offset) => {
      if (definition.changed && !definition.changed(log.runner.view(), event)) return;
      feed.publish({ partition, offset, event: event.type, book: event.data.id ?? null, created: event.metadata.created });
    },
    onCaughtUp: () => healthChanged(),
    ...(fetchWorkerFrom !== undefined && { fetchWorkerFrom }),
  });
  const { runner } = log;
  const describe = definition.change?.(config);
  const changes = changesRoutes({
    feed,
    view: definition.defaults.name,
    appliedPosition: () => runner.appliedPosition(),
    status: () => {
      const { lag, caughtUp } = runner.health();
      return { lag, caughtUp };
    },
    describe: (change) => describe?.(runner.view(), change.book) ?? {},
    startedFrom: () => {
      const { restored } = runner.health();
      return restored?.from === 'snapshot' ? restored.position : undefined;
    },
  });

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
  const routes = definition.routes({ reader, positions: readPositions(runner) }, config);

  const shell = await startServiceShell({
    config,
    logger,
    metrics,
    probes: { health: () => runner.health(), rejected: () => runner.rejected() },
    front: routes.fixed,
    // The changes before the view's own routes, which may take /changes for a book id.
    routers: [changes.router, snapshotRouter(config, log.snapshotSource), ...(routes.router ? [routes.router] : [])],
    stopParts: () => log.stop(),
    drain: () => runner.close(),
    endStreams: () => changes.close(),
  });
  healthChanged = shell.healthChanged;
  log.start(shell.id);
  return { ...shell, view: runner.view };
}
