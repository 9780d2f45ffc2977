/**
 * Round-robin over the healthy instances of a service, with passive ejection: an instance that
 * failed a connection is skipped for a while, before Consul's check has noticed, and at once
 * taken back when Consul shows it registered or checked anew (a restarted process).
 */

export interface Endpoint {
  id: string;
  address: string;
  port: number;
  /** Changes with every change Consul makes to the instance's registration or checks. */
  revision?: string;
}

export interface BalancerOptions<I extends Endpoint> {
  healthy: (service: string) => I[];
  ejectForMs?: number;
  now?: () => number;
}

export function createBalancer<I extends Endpoint>({ healthy, ejectForMs = 15_000, now = Date.now }: BalancerOptions<I>) {
  const turn = new Map<string, number>();
  const ejected = new Map<string, { until: number; revision: string | undefined }>();

  return {
    /** The instances to try for one request, in order: the next in turn first, ejected ones left out. */
    candidates(service: string): I[] {
      const time = now();
      const available = healthy(service).filter((instance) => {
        const ejection = ejected.get(instance.id);
        if (ejection === undefined) return true;
        if (ejection.until > time && ejection.revision === instance.revision) return false;
        ejected.delete(instance.id);
        return true;
      });
      if (available.length === 0) return [];
      const start = (turn.get(service) ?? 0) % available.length;
      turn.set(service, start + 1);
      return [...available.slice(start), ...available.slice(0, start)];
    },
    eject(instance: I): void {
      ejected.set(instance.id, { until: now() + ejectForMs, revision: instance.revision });
    },
    isEjected: (id: string): boolean => (ejected.get(id)?.until ?? 0) > now(),
  };
}

export type Balancer<I extends Endpoint> = ReturnType<typeof createBalancer<I>>;
