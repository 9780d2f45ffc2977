/**
 * Round-robin over the healthy instances of a service, with passive ejection: an instance that
 * failed a connection is skipped for a while, before Consul's check has noticed.
 */

export interface Endpoint {
  id: string;
  address: string;
  port: number;
}

export interface BalancerOptions<I extends Endpoint> {
  healthy: (service: string) => I[];
  ejectForMs?: number;
  now?: () => number;
}

export function createBalancer<I extends Endpoint>({ healthy, ejectForMs = 15_000, now = Date.now }: BalancerOptions<I>) {
  const turn = new Map<string, number>();
  const ejected = new Map<string, number>();

  return {
    /** The instances to try for one request, in order: the next in turn first, ejected ones left out. */
    candidates(service: string): I[] {
      const time = now();
      const available = healthy(service).filter((instance) => {
        const until = ejected.get(instance.id);
        if (until === undefined) return true;
        if (until > time) return false;
        ejected.delete(instance.id);
        return true;
      });
      if (available.length === 0) return [];
      const start = (turn.get(service) ?? 0) % available.length;
      turn.set(service, start + 1);
      return [...available.slice(start), ...available.slice(0, start)];
    },
    eject(instance: I): void {
      ejected.set(instance.id, now() + ejectForMs);
    },
    isEjected: (id: string): boolean => (ejected.get(id) ?? 0) > now(),
  };
}

export type Balancer<I extends Endpoint> = ReturnType<typeof createBalancer<I>>;
