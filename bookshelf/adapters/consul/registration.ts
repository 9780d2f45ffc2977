/**
 * Keeps one service registered with the local Consul agent: registers once the HTTP server listens,
 * registers again when the agent forgets it (an agent restart), deregisters on stop.
 */
import type { Logger } from '../../app/ports.js';
import { pause, retry } from '../../app/retry.js';
import type { AgentApi } from './agent-api.js';

export interface ServiceDefinition {
  name: string;
  id: string;
  tags: string[];
  address: string;
  port: number;
  meta: Record<string, string>;
  check: { http: string; interval: string; timeout: string; deregisterAfter: string };
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface RegistrationOptions {
  agent: AgentApi;
  logger: Logger;
  service: ServiceDefinition;
  /**
   * The service's own view of its health. The check starts with it, and when it changes the
   * registration is renewed with the new status, so Consul knows at once rather than one check interval later.
   */
  status?: () => CheckStatus;
  /** Meta that changes while the service runs (what it owns); a change is registered like a change of status. */
  meta?: () => Record<string, string>;
  /** How often to make sure the agent still knows the service. */
  watchEveryMs?: number;
  /**
   * How often the status and meta are looked at. Looking costs nothing but a health report; Consul is only called
   * when they changed. A service that knows when they change says so with `refresh()` rather than waiting for a look.
   */
  statusEveryMs?: number;
}

/** How often a renewal asks whether Consul lists the new check yet (it takes a few milliseconds). */
const LISTED_EVERY_MS = 5;

export function createRegistration({
  agent,
  logger,
  service,
  status,
  meta,
  watchEveryMs = 2000,
  statusEveryMs = 100,
}: RegistrationOptions) {
  let stopped = false;
  /** Aborted by the stop: ends the pauses of a registration under way. */
  const stopping = new AbortController();
  let registered = false;
  let failures = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let registeredStatus: CheckStatus | undefined;
  let verifiedAt = 0;
  let checkSeq = 0;
  /** The id of the check the agent has for the service, once registered. */
  let checkId: string | undefined;
  let registeredMeta: string | undefined;
  const currentMeta = (): Record<string, string> => (meta ? { ...service.meta, ...meta() } : service.meta);
  /** Set by `refresh()`: the next look comes at once, even when the refresh came during a look. */
  let lookAgain = false;
  /** Ends the pause before the next look. */
  let wake: (() => void) | undefined;

  const nap = (): Promise<void> =>
    new Promise((resolve) => {
      if (lookAgain || stopped) return resolve();
      const timer = setTimeout(done, statusEveryMs);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const checkDefinition = (id: string, current?: CheckStatus) => ({
    CheckID: id,
    Name: `${service.name} HTTP /health`,
    HTTP: service.check.http,
    Interval: service.check.interval,
    Timeout: service.check.timeout,
    DeregisterCriticalServiceAfter: service.check.deregisterAfter,
    ...(current && { Status: current }),
  });

  /** Resolves once Consul's catalog lists the check (or after a second: the swap goes on regardless). */
  async function listed(id: string): Promise<void> {
    const deadline = Date.now() + 1000;
    while (!stopped && Date.now() < deadline) {
      if ((await agent.listedChecks(service.name)).has(id)) return;
      await pause(LISTED_EVERY_MS, stopping.signal);
    }
  }

  /**
   * The agent keeps the status of a check it already has; a check with a new id starts with ours. When a check is
   * there, the new one is added beside it and the old one removed once the catalog lists the new one: replaced in one
   * step, the instance would be listed for a moment with its node's check alone, which Consul (and its DNS) counts
   * as passing.
   */
  async function register(current: CheckStatus | undefined, serviceMeta: Record<string, string>, swap: boolean): Promise<void> {
    const definition = {
      Name: service.name,
      ID: service.id,
      Tags: service.tags,
      Address: service.address,
      Port: service.port,
      Meta: serviceMeta,
    };
    const next = `service:${service.id}:${++checkSeq}`;
    if (swap && checkId !== undefined) {
      await agent.register({ ...definition, Checks: [checkDefinition(checkId), checkDefinition(next, current)] });
      await listed(next);
    }
    await agent.register({ ...definition, Checks: [checkDefinition(next, current)] });
    checkId = next;
  }

  const isKnown = async (): Promise<boolean> => (await agent.serviceIds()).has(service.id);

  /** One look: registers when the service is not (or no longer, or differently) registered; throws when Consul failed. */
  async function ensure(): Promise<void> {
    try {
      const current = status?.();
      const nowMeta = currentMeta();
      const metaText = JSON.stringify(nowMeta);
      const statusChanged = current !== registeredStatus || metaText !== registeredMeta;
      if (registered && !statusChanged) {
        if (Date.now() - verifiedAt < watchEveryMs) return;
        if (await isKnown()) {
          verifiedAt = Date.now();
          failures = 0;
          return;
        }
      }
      if (stopped) return;
      const forgotten = registered && !statusChanged;
      await register(current, nowMeta, registered && !forgotten);
      if (stopped) return;
      if (!registered || forgotten) {
        logger.info(
          { name: service.name, id: service.id, address: service.address, port: service.port, status: current },
          forgotten ? 'registered again with Consul' : 'registered with Consul',
        );
      } else logger.debug({ id: service.id, status: current }, 'check status renewed');
      registered = true;
      registeredStatus = current;
      registeredMeta = metaText;
      verifiedAt = Date.now();
      failures = 0;
    } catch (error) {
      const refused = (error as { statusCode?: unknown }).statusCode === 403;
      if (failures++ === 0)
        logger.warn(
          { err: (error as Error).message },
          refused ? 'Consul refused the registration (ACL token), will retry' : 'Consul not reachable, will retry',
        );
      throw error;
    }
  }

  function look(): Promise<void> {
    const attempt = ensure();
    inFlight = attempt.catch(() => undefined);
    return attempt;
  }

  async function keep(): Promise<void> {
    while (!stopped) {
      lookAgain = false;
      // Until registered, a failure is tried again after a growing pause (any failure: a token may be granted later);
      // once registered, the next look comes soon anyway.
      await retry(look, { initialMs: 500, maxMs: 5000, retryOn: 'any', stop: () => registered, signal: stopping.signal }).catch(
        () => undefined,
      );
      await nap();
    }
  }

  return {
    /** Registers in the background and keeps the registration alive; never throws. */
    start(): void {
      void keep();
    },
    /** The status or meta may have changed: looks now rather than at the next look. */
    refresh(): void {
      lookAgain = true;
      wake?.();
    },
    /** Deregisters; after this, Consul no longer lists the service. */
    async stop(): Promise<void> {
      stopped = true;
      stopping.abort();
      wake?.();
      // A registration still under way must land before it is undone.
      await inFlight;
      try {
        await agent.deregister(service.id);
        if (registered) logger.info({ id: service.id }, 'deregistered from Consul');
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'could not deregister from Consul');
      }
      registered = false;
    },
  };
}

export type Registration = ReturnType<typeof createRegistration>;
