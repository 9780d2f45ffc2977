/**
 * The `books` aggregate: rebuilds every book's state from the log, then takes commands for the books on the
 * partitions it owns, checks them against each book's history and answers once Kafka committed the events.
 * Instances of one name share the topic's partitions through a consumer group; each fences the previous
 * owner of a partition it takes over, and forwards commands for the others' books to them.
 */
import { randomUUID } from 'node:crypto';
import { encodeEvent } from '../domain/event-envelope.js';
import { bookStatesProjection } from '../domain/projections/book-states.projection.js';
import { createBookCommands } from '../app/book-commands.js';
import { partitionOf } from '../app/book-partition.js';
import { createPartitionOwnership } from '../app/partition-ownership.js';
import { createConsulClient } from '../adapters/consul/consul-client.js';
import { createDiscovery } from '../adapters/consul/discovery.js';
import { createGroupMembership } from '../adapters/kafka/group-membership.js';
import { createPartitionWriter } from '../adapters/kafka/partition-writer.js';
import { booksRoutes } from '../adapters/http/books.routes.js';
import { createMetrics } from '../adapters/http/metrics.js';
import { commandMetrics } from '../adapters/metrics/role-metrics.js';
import { ownerRouting } from '../adapters/http/owner-routing.js';
import { createProxy } from '../adapters/http/proxy.js';
import type { EntryDefaults, ServiceConfig } from '../adapters/cli/config.js';
import { followLog } from './log-follower.js';
import { createPartitionEnds, resolveUnknownOutcome } from './books-partitions.js';
import { startServiceShell, type RunningService, type ServiceDeps } from './service-shell.js';
import { snapshotOptions } from '../adapters/cli/snapshot-options.js';
import { option, optionValues } from '../adapters/cli/options.js';
import { snapshotRouter } from './snapshot-route.js';

const sessionTimeout = (raw: unknown): number => {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  // Kafka refuses sessions shorter than group.min.session.timeout.ms (6 s by default).
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 6 || value > 1800)
    throw new Error(`must be a number of seconds from 6 to 1800 (got ${JSON.stringify(raw)})`);
  return value;
};

const sessionTimeoutOption = option({
  flag: 'session-timeout',
  type: 'number',
  default: 10,
  describe: 'seconds without a heartbeat after which the group gives this instance’s partitions to the others',
  parse: sessionTimeout,
});

export const booksDefaults: EntryDefaults = {
  entry: 'books',
  role: 'aggregate',
  name: 'books',
  port: 8081,
  tags: ['books', 'aggregate'],
  describe: 'Aggregate: takes Book commands over HTTP and appends their events to Kafka.',
  options: [...snapshotOptions, sessionTimeoutOption],
};

export async function startBooks(
  config: ServiceConfig,
  { logger, fetchWorkerFrom }: ServiceDeps,
): Promise<RunningService & { view(): unknown }> {
  const metrics = createMetrics({ service: config.name });
  /** Tells Consul of a change of health or meta at once; the shell's, once it runs (its registration starts with them as they are then). */
  let healthChanged = (): void => {};
  // Its own events are applied once Kafka committed them; reading them back can wait for a few together,
  // which spares a fetch per command. The follower reads every partition, in a group of its own: --group names
  // the group that shares the partitions among instances.
  const log = followLog({
    projection: bookStatesProjection,
    config: { ...config, group: undefined },
    logger,
    metrics,
    pace: { minBytes: 64 * 1024, maxWaitTimeInMs: 50 },
    onCaughtUp: () => healthChanged(),
    ...(fetchWorkerFrom !== undefined && { fetchWorkerFrom }),
  });
  const { runner, kafka } = log;
  const groupId = config.group ?? `${config.name}-${config.topic}`;
  const ends = createPartitionEnds(kafka, config.topic);
  let selfId = '';

  const ownership = createPartitionOwnership({
    logger: logger.child({ module: 'ownership' }),
    createWriter: (partition, onFailure) =>
      createPartitionWriter({
        kafka,
        logger: logger.child({ module: 'writer' }),
        topic: config.topic,
        partition,
        transactionalId: `${groupId}-${config.topic}-${partition}`,
        onFailure,
      }),
    endOffset: (partition) => ends.endOffset(partition),
    readUpTo: (partition, end, timeoutMs) =>
      end <= 0 ? Promise.resolve(true) : runner.waitFor(new Map([[partition, end - 1]]), timeoutMs),
    // What it owns is in its Consul meta, and owning its first partitions makes it pass.
    onChange: () => healthChanged(),
  });
  const membership = createGroupMembership({
    kafka,
    logger: logger.child({ module: 'group' }),
    topic: config.topic,
    groupId,
    sessionTimeoutMs: Math.round(optionValues([sessionTimeoutOption], config.extra)['session-timeout'] * 1000),
    onAssigned: (partitions, count) => ownership.assign(partitions, count),
    onRevoked: () => ownership.revokeAll(),
  });
  const partitionOfBook = (id: string): number | undefined =>
    ownership.partitionCount() > 0 ? partitionOf(id, ownership.partitionCount()) : undefined;

  const counted = commandMetrics(metrics.registry);
  const commands = createBookCommands({
    // Whether a book's partition has been read to its end is checked per command, by its owner: see `append`.
    store: { view: runner.view, isCaughtUp: () => true, applyOwn: (events) => runner.applyOwn(events) },
    append: (events) =>
      counted.timed(async () => {
        const partition = partitionOfBook(events[0]!.metadata.aggregate!)!;
        const messages = events.map((event) => ({ key: event.metadata.aggregate!, value: encodeEvent(event) }));
        try {
          return await ownership.append(partition, messages);
        } catch (error) {
          return resolveUnknownOutcome(error, events, runner);
        }
      }),
    newId: randomUUID,
    now: () => new Date().toISOString(),
  });

  const discovery = config.register
    ? createDiscovery({ consul: createConsulClient(config.consul), logger: logger.child({ module: 'discovery' }), services: [config.name] })
    : undefined;
  const proxy = createProxy();
  const owners = (partition: number | undefined) =>
    (discovery?.passing(config.name) ?? []).filter((instance) => {
      if (instance.id === selfId) return false;
      const owned = (instance.meta.partitions ?? '').split(',').filter((p) => p !== '');
      return partition === undefined ? owned.length > 0 : owned.includes(String(partition));
    });
  const route = ownerRouting({
    selfId: () => selfId,
    partitionOf: partitionOfBook,
    stateOf: ownership.stateOf,
    started: ownership.started,
    ownsAny: () => ownership.owned().length > 0,
    owners,
    proxy,
  });
  /** A new id on a partition this instance owns: a few tries at most. */
  const newOwnedId = (): string => {
    const owned = new Set(ownership.owned());
    for (;;) {
      const id = randomUUID();
      const partition = partitionOfBook(id);
      if (owned.size === 0 || (partition !== undefined && owned.has(partition))) return id;
    }
  };

  const health = () => {
    const report = runner.health();
    // Still starting (429, Consul "warning") until the partitions of its first assignment are read and fenced.
    const status = report.status === 'pass' && !ownership.started() ? 'warn' : report.status;
    return { ...report, status, ownership: { group: groupId, owned: ownership.owned(), partitionCount: ownership.partitionCount() } };
  };

  const shell = await startServiceShell({
    config,
    logger,
    metrics,
    probes: { health, rejected: runner.rejected },
    routers: [snapshotRouter(config, log.snapshotSource), booksRoutes(counted.counting(commands), newOwnedId, route)],
    meta: () => ({ partitions: ownership.owned().join(','), partitionCount: String(ownership.partitionCount()) }),
    beforeStop: async () => {
      // Take no more commands and let the transactions under way end, then leave the group: the others take over at once.
      await ownership.stop();
      await membership.stop();
    },
    stopParts: async () => {
      discovery?.stop();
      proxy.close();
      await Promise.all([log.stop(), ends.close()]);
    },
  });
  selfId = shell.id;
  healthChanged = shell.healthChanged;
  discovery?.start();
  log.start(shell.id);
  membership.start();
  return { ...shell, view: runner.view };
}
