/**
 * Keeps one service registered with the local Consul agent: registers once the HTTP server listens,
 * registers again when the agent forgets it (an agent restart), deregisters on stop.
 */
import type Consul from 'consul';
import type { Logger } from '../../app/ports.js';

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
  consul: Consul;
  logger: Logger;
  service: ServiceDefinition;
  /** Status of the check until Consul runs it for the first time. */
  initialStatus?: () => CheckStatus;
  watchEveryMs?: number;
}

const REQUEST_TIMEOUT_MS = 1000;
/** The client honours a per-request `timeout` that its types leave out. */
const withTimeout = <T extends object>(options: T): T => ({ ...options, timeout: REQUEST_TIMEOUT_MS });

export function createRegistration({ consul, logger, service, initialStatus, watchEveryMs = 2000 }: RegistrationOptions) {
  let stopped = false;
  let registered = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let inFlight: Promise<void> = Promise.resolve();

  async function register(): Promise<void> {
    await consul.agent.service.register(withTimeout({
      name: service.name,
      id: service.id,
      tags: service.tags,
      address: service.address,
      port: service.port,
      meta: service.meta,
      check: {
        name: `${service.name} HTTP /health`,
        http: service.check.http,
        interval: service.check.interval,
        timeout: service.check.timeout,
        deregistercriticalserviceafter: service.check.deregisterAfter,
        ...(initialStatus && { status: initialStatus() }),
      },
    }));
  }

  async function isKnown(): Promise<boolean> {
    const services = (await consul.agent.service.list(withTimeout({}))) as Record<string, unknown>;
    return Object.prototype.hasOwnProperty.call(services, service.id);
  }

  async function ensure(): Promise<void> {
    try {
      if (registered && (await isKnown())) {
        failures = 0;
        return;
      }
      if (stopped) return;
      await register();
      if (stopped) return;
      logger.info({ name: service.name, id: service.id, address: service.address, port: service.port }, registered ? 'registered again with Consul' : 'registered with Consul');
      registered = true;
      failures = 0;
    } catch (error) {
      if (failures++ === 0) logger.warn({ err: (error as Error).message }, 'Consul not reachable, will retry');
    }
  }

  async function loop(): Promise<void> {
    inFlight = ensure();
    await inFlight;
    if (!stopped) timer = setTimeout(() => void loop(), registered ? watchEveryMs : Math.min(5000, 250 * 2 ** failures));
  }

  return {
    /** Registers in the background and keeps the registration alive; never throws. */
    start(): void {
      void loop();
    },
    isRegistered: (): boolean => registered,
    /** Deregisters; after this, Consul no longer lists the service. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      // A registration still under way must land before it is undone.
      await inFlight;
      try {
        await consul.agent.service.deregister(withTimeout({ id: service.id }));
        if (registered) logger.info({ id: service.id }, 'deregistered from Consul');
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'could not deregister from Consul');
      }
      registered = false;
    },
  };
}

export type Registration = ReturnType<typeof createRegistration>;
