/**
 * The `books` aggregate: rebuilds every book's state from the log, then takes commands,
 * checks them against each book's history and answers once Kafka has the events.
 */
import { randomUUID } from 'node:crypto';
import { encodeEvent } from '../domain/event-envelope.js';
import { bookStatesProjection } from '../domain/projections/book-states.projection.js';
import { createBookCommands } from '../app/book-commands.js';
import { createEventProducer } from '../adapters/kafka/event-producer.js';
import { booksRoutes } from '../adapters/http/books.routes.js';
import { createMetrics } from '../adapters/http/metrics.js';
import { commandMetrics } from '../adapters/http/role-metrics.js';
import type { EntryDefaults, ServiceConfig } from '../adapters/cli/config.js';
import { followLog } from './log-follower.js';
import { startServiceShell, type RunningService, type ServiceDeps } from './service-shell.js';
import { snapshotOptions } from '../adapters/cli/snapshot-options.js';
import { snapshotRouter } from './snapshot-route.js';

export const booksDefaults: EntryDefaults = {
  entry: 'books',
  role: 'aggregate',
  name: 'books',
  port: 8081,
  tags: ['books', 'aggregate'],
  describe: 'Aggregate: takes Book commands over HTTP and appends their events to Kafka.',
  options: snapshotOptions,
};

export async function startBooks(config: ServiceConfig, { logger }: ServiceDeps): Promise<RunningService & { view(): unknown }> {
  const metrics = createMetrics({ service: config.name });
  // Its own events are applied once Kafka acknowledged them; reading them back can wait for a few together,
  // which spares a fetch per command (a quarter more commands per second, and shorter waits for each).
  const log = followLog({ projection: bookStatesProjection, config, logger, metrics, pace: { minBytes: 64 * 1024, maxWaitTimeInMs: 50 } });
  const { runner, kafka } = log;
  const producer = createEventProducer({ kafka, logger: logger.child({ module: 'producer' }), topic: config.topic });
  const counted = commandMetrics(metrics.registry);
  const commands = createBookCommands({
    store: { view: runner.view, isCaughtUp: runner.isCaughtUp, applyOwn: runner.applyOwn },
    append: (events) => counted.timed(() => producer.append(events.map((event) => ({ key: event.metadata.aggregate ?? event.metadata.eventId, value: encodeEvent(event) })))),
    newId: randomUUID,
    now: () => new Date().toISOString(),
  });
  const shell = await startServiceShell({
    config,
    logger,
    metrics,
    probes: { health: runner.health, rejected: runner.rejected },
    routers: [snapshotRouter(config, log.snapshotSource), booksRoutes(counted.counting(commands), randomUUID)],
    stopParts: async () => {
      await Promise.all([log.stop(), producer.stop()]);
    },
  });
  log.start(shell.id);
  return { ...shell, view: runner.view };
}
