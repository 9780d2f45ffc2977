/**
 * The shared runner of every view: folds the topic into its projection, serves its routes,
 * registers in Consul and answers /health by how far it has read.
 */
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Projection } from '../domain/projection.js';
import { createProjectionRunner } from '../app/projection-runner.js';
import { createKafka } from '../adapters/kafka/kafka-client.js';
import { createConsumer } from '../adapters/kafka/consumer.js';
import { createMetrics } from '../adapters/http/metrics.js';
import { readYourWrites } from '../adapters/http/read-your-writes.middleware.js';
import type { EntryDefaults, ServiceConfig } from '../adapters/cli/config.js';
import { startServiceShell, type RunningService, type ServiceDeps } from './service-shell.js';

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
}

export async function startView<V>(definition: ViewDefinition<V>, config: ServiceConfig, { logger }: ServiceDeps): Promise<RunningView> {
  const metrics = createMetrics({ service: config.name });
  const runner = createProjectionRunner({ projection: definition.projection, topic: config.topic, logger: logger.child({ module: 'projection' }), counters: metrics.counters });

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

  const kafka = createKafka({ brokers: config.brokers, clientId: config.name, logger: logger.child({ module: 'kafka' }), security: config.kafkaSecurity });
  let consumer: ReturnType<typeof createConsumer> | undefined;

  const shell = await startServiceShell({
    config,
    logger,
    metrics,
    probes: { health: runner.health, rejected: runner.rejected },
    routers: [router],
    stopParts: async () => {
      await consumer?.stop();
      runner.close();
    },
  });
  consumer = createConsumer({
    kafka,
    logger: logger.child({ module: 'consumer' }),
    topic: config.topic,
    groupId: config.group ?? `${shell.id}-${randomUUID().slice(0, 8)}`,
    sink: runner,
  });
  consumer.start();
  return { ...shell, isCaughtUp: runner.isCaughtUp };
}
