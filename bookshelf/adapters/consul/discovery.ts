/**
 * Knows the instances of the services a gateway needs, kept current by Consul blocking queries
 * on the health API: one long-poll per service, answered when something changes.
 */
import type Consul from 'consul';
import type { Logger } from '../../app/ports.js';
import { retry } from '../../app/retry.js';
import type { CheckStatus } from './registration.js';

export interface Instance {
  id: string;
  service: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  /** The worst of the instance's checks (and of its node's); critical while it has no check of its own. */
  status: CheckStatus;
  /** Changes whenever Consul changes the registration or a check of it (a restart registers anew). */
  revision: string;
}

interface HealthEntry {
  Node: { Address: string };
  Service: {
    ID: string;
    Service: string;
    Address: string;
    Port: number;
    Tags: string[] | null;
    Meta: Record<string, string> | null;
    ModifyIndex?: number;
  };
  Checks: { Status: CheckStatus; ServiceID?: string; ModifyIndex?: number }[];
}

const severity: Record<CheckStatus, number> = { passing: 0, warning: 1, critical: 2 };

/**
 * Whether Consul lists the instance with a check of its own. It does not for a moment each time the check is replaced
 * (a registration renewed with a new status): its health API then counts the instance as passing on its node's check
 * alone, `?passing` included, whatever the instance says of itself.
 */
export const hasOwnCheck = (entry: { Service: { ID: string }; Checks: { ServiceID?: string }[] }): boolean =>
  entry.Checks.some((check) => check.ServiceID === entry.Service.ID);

/** One check as Consul's `/v1/health/state/any` lists it; a node's own checks have no service id. */
export interface ConsulCheck {
  Node: string;
  ServiceID: string;
  Status: string;
}

/** Whether an instance is passing as `?passing` counts it, among all of Consul's checks, and with a check of its own. */
export function passingInConsul(checks: readonly ConsulCheck[], serviceId: string): boolean {
  const own = checks.filter((check) => check.ServiceID === serviceId);
  if (own.length === 0) return false;
  const node = own[0]!.Node;
  const nodes = checks.filter((check) => check.ServiceID === '' && check.Node === node);
  return [...own, ...nodes].every((check) => check.Status === 'passing');
}

export function toInstance(entry: HealthEntry): Instance {
  const status = hasOwnCheck(entry)
    ? entry.Checks.reduce<CheckStatus>((worst, check) => (severity[check.Status] > severity[worst] ? check.Status : worst), 'passing')
    : 'critical';
  return {
    id: entry.Service.ID,
    service: entry.Service.Service,
    address: entry.Service.Address || entry.Node.Address,
    port: entry.Service.Port,
    tags: entry.Service.Tags ?? [],
    meta: entry.Service.Meta ?? {},
    status,
    revision: [entry.Service.ModifyIndex ?? 0, ...entry.Checks.map((check) => check.ModifyIndex ?? 0)].join('.'),
  };
}

export interface DiscoveryOptions {
  consul: Consul;
  logger: Logger;
  services: string[];
  /** How long one blocking query waits for a change. */
  wait?: string;
}

/** Services register again within about two seconds of an agent restart; give them this long. */
const RECOVERY_MS = 15_000;

export function createDiscovery({ consul, logger, services, wait = '30s' }: DiscoveryOptions) {
  const known = new Map<string, Instance[]>(services.map((name) => [name, []]));
  const errors = new Map<string, string>();
  const watches = new Set<{ end(): void }>();
  const listeners = new Set<(service: string) => void>();

  /** Aborted by the stop: ends the pause before a query starts again. */
  const stopping = new AbortController();
  /** Until when an empty answer is not believed: an agent that just restarted knows no service until they register again. */
  const distrustEmptyUntil = new Map<string, number>();

  /** Follows one service with blocking queries until one fails; rejects with that failure. */
  function follow(service: string): Promise<never> {
    return new Promise((_, reject) => {
      const current = consul.watch({ method: consul.health.service.bind(consul.health), options: { service, wait } });
      current.on('change', (data: HealthEntry[]) => {
        const recovering = (distrustEmptyUntil.get(service) ?? 0) > Date.now();
        if (data.length === 0 && recovering && (known.get(service)?.length ?? 0) > 0) {
          logger.debug({ service }, 'Consul came back empty; keeping the last known instances while services register again');
          return;
        }
        distrustEmptyUntil.delete(service);
        known.set(service, data.map(toInstance));
        errors.delete(service);
        logger.debug({ service, instances: data.length }, 'instances changed');
        for (const listener of listeners) listener(service);
      });
      current.on('error', (error: Error) => {
        reject(error);
        // An agent that restarted counts its index from zero again: a watch holding the old index would
        // block for a whole wait. End this one (its own backoff never runs); a new one starts from index 0.
        current.end();
        watches.delete(current);
      });
      current.once('end', () => reject(new Error('the query was ended')));
      watches.add(current);
    });
  }

  function watch(service: string): void {
    retry(() => follow(service), {
      initialMs: 500,
      maxMs: 500,
      factor: 1,
      retryOn: 'any',
      signal: stopping.signal,
      onRetry(error) {
        const message = (error as Error).message;
        if (!errors.has(service)) logger.warn({ service, err: message }, 'Consul query failed, keeping the last known instances');
        errors.set(service, message);
        distrustEmptyUntil.set(service, Date.now() + RECOVERY_MS);
      },
    }).catch(() => undefined); // only a stop ends the queries
  }

  return {
    start(): void {
      for (const service of services) watch(service);
    },
    /** Every known instance of `service`, whatever its health. */
    all: (service: string): Instance[] => known.get(service) ?? [],
    /** The instances whose checks all pass. */
    passing: (service: string): Instance[] => (known.get(service) ?? []).filter((instance) => instance.status === 'passing'),
    /** Services whose last query failed, with why. */
    errors: (): Record<string, string> => Object.fromEntries(errors),
    onChange(listener: (service: string) => void): void {
      listeners.add(listener);
    },
    stop(): void {
      stopping.abort();
      for (const current of watches) current.end();
      watches.clear();
    },
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;

/** The seed's look-up by tags: names of the services that carry every one of `tags`. */
export async function discoverByTags(consul: Consul, tags: string[]): Promise<string[]> {
  const catalog = (await consul.catalog.service.list()) as Record<string, string[]>;
  return Object.entries(catalog)
    .filter(([, serviceTags]) => tags.every((tag) => serviceTags.includes(tag)))
    .map(([name]) => name)
    .sort();
}

/** The seed's look-up by name: the base URL of one passing instance, or undefined. */
export async function locate(consul: Consul, name: string): Promise<string | undefined> {
  const entries = (await consul.health.service({ service: name, passing: true })) as HealthEntry[];
  const instance = entries.map(toInstance).find((found) => found.status === 'passing');
  return instance && `http://${instance.address}:${instance.port}`;
}
