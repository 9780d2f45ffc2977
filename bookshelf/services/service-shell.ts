/**
 * What every service shares: HTTP server with the common routes, Consul registration,
 * and an orderly stop (deregister, finish requests in flight, then the service's own parts).
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Logger } from '../app/ports.js';
import type { HealthStatus } from '../app/health.js';
import { createAgentApi } from '../adapters/consul/agent-api.js';
import { createRegistration, type CheckStatus, type Registration } from '../adapters/consul/registration.js';
import { bearerAuth } from '../adapters/http/bearer-auth.middleware.js';
import { createHttpApp } from '../adapters/http/create-http-app.js';
import { listen } from '../adapters/http/http-server.js';
import type { Metrics } from '../adapters/http/metrics.js';
import type { ServiceProbes } from '../adapters/http/service.routes.js';
import { defaultServiceId, type ServiceConfig } from '../adapters/cli/config.js';
import { packageVersion } from '../adapters/cli/package-version.js';

export interface RunningService {
  url: string;
  port: number;
  id: string;
  /** Its health or its Consul meta may have changed: Consul is told now rather than at the next look. */
  healthChanged: () => void;
  stop(): Promise<void>;
}

export interface ServiceDeps {
  logger: Logger;
  /** Offsets behind the log's end from which a view or `books` reads in its fetch worker (a test's 0: always). */
  fetchWorkerFrom?: number;
}

/** How long requests in flight get once a stop begins, and when before its end waiting ones are answered. */
const STOP_GRACE_MS = 1000;
const DRAIN_BEFORE_MS = 200;

const checkStatus: Record<HealthStatus, CheckStatus> = { pass: 'passing', warn: 'warning', fail: 'critical' };

export interface ShellOptions {
  config: ServiceConfig;
  logger: Logger;
  metrics: Metrics;
  probes: ServiceProbes;
  routers: Router[];
  /** Routes dispatched by path before the routers (a view's reads). */
  front?: Middleware;
  /** Stops what the service started besides HTTP and Consul, after both. */
  stopParts?: () => Promise<void>;
  /**
   * Called near the end of the stop's grace period, before the last connections are closed: requests that still
   * wait (for a position) are answered then, rather than cut. Until then they may still get what they wait for.
   */
  drain?: () => void;
  /** Consul service meta that changes while the service runs; registered again whenever it does. */
  meta?: () => Record<string, string>;
  /** Called first when a stop begins, before the deregistration: e.g. stop taking commands. */
  beforeStop?: () => Promise<void>;
  /** Ends long-lived answers (event streams) as the stop begins, so that their clients move elsewhere at once. */
  endStreams?: () => void;
}

export async function startServiceShell({
  config,
  logger,
  metrics,
  probes,
  routers,
  front,
  stopParts,
  drain,
  meta,
  beforeStop,
  endStreams,
}: ShellOptions): Promise<RunningService> {
  const { token, reads } = config.auth;
  const guard = token === undefined ? undefined : bearerAuth({ token, reads });
  const app = createHttpApp({
    logger: logger.child({ module: 'http' }),
    metrics,
    probes,
    routers,
    ...(guard && { guard }),
    ...(front && { front }),
  });
  const handle = app.callback();
  // Koa's handler settles its own errors: the promise it returns is not ours to wait for.
  const server = await listen((req, res) => void handle(req, res), { addr: config.addr, port: config.port });
  const id = config.id ?? defaultServiceId(config.name, server.port);

  let registration: Registration | undefined;
  if (config.register) {
    registration = createRegistration({
      agent: createAgentApi(config.consul),
      logger: logger.child({ module: 'consul' }),
      status: () => checkStatus[probes.health().status],
      ...(meta && { meta }),
      service: {
        name: config.name,
        id,
        tags: config.tags,
        address: config.advertise,
        port: server.port,
        meta: { role: config.role, topic: config.topic, version: packageVersion },
        check: {
          http: `http://${config.advertise.includes(':') ? `[${config.advertise}]` : config.advertise}:${server.port}/health`,
          interval: config.checkInterval,
          timeout: '2s',
          deregisterAfter: config.deregisterAfter,
        },
      },
    });
    registration.start();
  }
  logger.info({ url: server.url, service: config.name, id, topic: config.topic }, 'listening');

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    id,
    healthChanged: () => registration?.refresh(),
    stop() {
      stopping ??= (async () => {
        await beforeStop?.();
        await registration?.stop();
        endStreams?.();
        const draining = drain && setTimeout(drain, STOP_GRACE_MS - DRAIN_BEFORE_MS);
        await server.close(STOP_GRACE_MS);
        clearTimeout(draining);
        await stopParts?.();
        logger.info({ id }, 'stopped');
      })();
      return stopping;
    },
  };
}
