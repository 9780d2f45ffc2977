/**
 * The `shelf` gateway: the public REST API. Finds passing instances of the other services
 * through Consul blocking queries and spreads requests over them.
 */
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { createBalancer } from '../app/balancer.js';
import { partitionOf } from '../app/book-partition.js';
import type { HealthStatus } from '../app/health.js';
import { createConsulClient } from '../adapters/consul/consul-client.js';
import { createDiscovery } from '../adapters/consul/discovery.js';
import { docsRoutes } from '../adapters/http/docs.routes.js';
import { gatewayRoutes, type GatewayTargets } from '../adapters/http/gateway.routes.js';
import { gatewayChangesRoutes } from '../adapters/http/gateway-changes.routes.js';
import { webRoutes } from '../adapters/http/web.routes.js';
import { createMetrics } from '../adapters/http/metrics.js';
import { gatewayMetrics } from '../adapters/metrics/role-metrics.js';
import { openApiDocument } from '../adapters/http/openapi.js';
import { createProxy } from '../adapters/http/proxy.js';
import { option, optionValues, text } from '../adapters/cli/options.js';
import { packageVersion } from '../adapters/cli/package-version.js';
import type { EntryDefaults, ServiceConfig } from '../adapters/cli/config.js';
import { startServiceShell, type RunningService, type ServiceDeps } from './service-shell.js';

const serviceName = text(/^[A-Za-z0-9-]{1,63}$/, 'letters, digits and dashes');

const shelfOptions = [
  option({ flag: 'books-service', type: 'string', default: 'books', describe: 'Consul name of the books aggregate', parse: serviceName }),
  option({
    flag: 'booklist-service',
    type: 'string',
    default: 'booklist',
    describe: 'Consul name of the list-books view',
    parse: serviceName,
  }),
  option({
    flag: 'lastread-service',
    type: 'string',
    default: 'lastreadbooks',
    describe: 'Consul name of the last-read view',
    parse: serviceName,
  }),
];

export const shelfDefaults: EntryDefaults = {
  entry: 'shelf',
  role: 'gateway',
  name: 'shelf',
  port: 8000,
  tags: ['books', 'gateway'],
  describe: 'Gateway: the public REST API, over the services it finds through Consul.',
  options: shelfOptions,
};

/** The page's files, read from the sources both when run from bookshelf/ and from dist/. */
const webFolder = fileURLToPath(new URL('../../bookshelf/web/', import.meta.url));

export async function startShelf(config: ServiceConfig, { logger }: ServiceDeps): Promise<RunningService> {
  const names = optionValues(shelfOptions, config.extra);
  const targets: GatewayTargets = {
    books: names['books-service'],
    booklist: names['booklist-service'],
    lastreadbooks: names['lastread-service'],
  };
  const serviceNames: string[] = [targets.books, targets.booklist, targets.lastreadbooks];
  const metrics = createMetrics({ service: config.name });
  const counted = gatewayMetrics(metrics.registry);
  const consul = createConsulClient(config.consul);
  const discovery = createDiscovery({ consul, logger: logger.child({ module: 'discovery' }), services: serviceNames });
  discovery.onChange(counted.discovered);
  const balancer = createBalancer({ healthy: discovery.passing });
  const proxy = createProxy();
  const log = logger.child({ module: 'gateway' });
  const changes = gatewayChangesRoutes({
    instances: (service) => discovery.passing(service),
    views: { booklist: targets.booklist, lastreadbooks: targets.lastreadbooks },
    ...(config.auth.token !== undefined && { headers: { authorization: `Bearer ${config.auth.token}` } }),
  });

  const services = new Router();
  services.get('/services', (ctx) => {
    const errors = discovery.errors();
    ctx.body = Object.fromEntries(
      serviceNames.map((name) => [
        name,
        {
          instances: discovery.all(name).map((i) => ({
            id: i.id,
            address: i.address,
            port: i.port,
            status: i.status,
            tags: i.tags,
            ejected: balancer.isEjected(i.id),
            ...(i.meta.partitions !== undefined && { partitions: i.meta.partitions }),
          })),
          ...(errors[name] !== undefined && { error: errors[name] }),
        },
      ]),
    );
  });

  /** The instances whose Consul meta says they own the book's partition (they publish the topic's partition count too). */
  const ownersOf = (service: string, bookId: string): ReadonlySet<string> => {
    const instances = discovery.passing(service);
    const count = Math.max(0, ...instances.map((i) => Number(i.meta.partitionCount ?? 0)).filter(Number.isSafeInteger));
    if (count === 0) return new Set();
    const partition = String(partitionOf(bookId, count));
    return new Set(instances.filter((i) => (i.meta.partitions ?? '').split(',').includes(partition)).map((i) => i.id));
  };

  // warn while Consul is unreachable or a service behind the gateway has no passing instance, naming which.
  const health = () => {
    const errors = discovery.errors();
    const unserved = serviceNames.filter((name) => discovery.passing(name).length === 0);
    const status: HealthStatus = Object.keys(errors).length === 0 && unserved.length === 0 ? 'pass' : 'warn';
    return {
      status,
      consul: Object.keys(errors).length === 0 ? 'reachable' : 'unreachable',
      services: Object.fromEntries(serviceNames.map((name) => [name, discovery.passing(name).length])),
      ...(unserved.length > 0 && { noPassingInstance: unserved }),
      changes: changes.state(),
    };
  };

  discovery.start();
  const shell = await startServiceShell({
    config,
    logger,
    metrics,
    probes: { health },
    routers: [
      gatewayRoutes({
        balancer,
        proxy,
        targets,
        ownersOf,
        onEject: (service, instance, error) => {
          counted.ejected(service, instance.id);
          log.warn({ service, instance: instance.id, err: error.message }, 'instance failed, ejected');
        },
        onUpstream: (service, instance, outcome) => counted.upstream(service, instance.id, outcome),
      }),
      docsRoutes(openApiDocument(packageVersion)),
      services,
      changes.router,
      webRoutes(webFolder),
    ],
    endStreams: () => changes.close(),
    stopParts: () => {
      changes.close();
      discovery.stop();
      proxy.close();
      return Promise.resolve();
    },
  });
  // Its health follows what it finds in Consul: Consul hears of a change at once.
  discovery.onChange(() => shell.healthChanged());
  return shell;
}
