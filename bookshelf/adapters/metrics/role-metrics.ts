/** What an operator looks at first, by role: how far behind the log, what commands did, how the gateway's upstreams fare. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BookCommands } from '../../app/book-commands.js';

interface PartitionProgress {
  end: number | null;
  lag: number;
}

/** Views and books: where each partition ends and how far behind it the process is, read when scraped. */
export function logMetrics(registry: Registry, progress: () => Record<string, PartitionProgress>): void {
  new Gauge({
    name: 'bookshelf_consumer_lag',
    help: 'Messages of the partition not yet applied (its end offset as Kafka last reported it, minus the next offset to apply)',
    labelNames: ['partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [partition, { lag }] of Object.entries(progress())) this.set({ partition }, lag);
    },
  });
  new Gauge({
    name: 'bookshelf_consumer_end_offset',
    help: 'End offset of the partition as Kafka last reported it',
    labelNames: ['partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [partition, { end }] of Object.entries(progress())) if (end !== null) this.set({ partition }, end);
    },
  });
}

/** books: each command by type and outcome, and how long Kafka took to acknowledge what it wrote. */
export function commandMetrics(registry: Registry) {
  const commands = new Counter({
    name: 'bookshelf_commands_total',
    help: 'Commands handled, by type and outcome (ok, replayed, or the refusal code)',
    labelNames: ['command', 'outcome'],
    registers: [registry],
  });
  const produce = new Histogram({
    name: 'bookshelf_produce_duration_seconds',
    help: 'Time from sending a command’s events to Kafka until it acknowledged them',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  return {
    /** The same commands, each counted by type and outcome: ok, replayed, or the code it was refused with. */
    counting: (inner: BookCommands): BookCommands => ({
      async execute(command, ...rest) {
        try {
          const answer = await inner.execute(command, ...rest);
          commands.inc({ command: command.type, outcome: answer.replayed ? 'replayed' : 'ok' });
          return answer;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          commands.inc({ command: command.type, outcome: typeof code === 'string' ? code : 'failed' });
          throw error;
        }
      },
    }),
    /** Times `send`, whether it succeeds or not. */
    async timed<T>(send: () => Promise<T>): Promise<T> {
      const end = produce.startTimer();
      try {
        return await send();
      } finally {
        end();
      }
    },
  };
}

/** The gateway: requests to each upstream instance by outcome, ejections, and what Consul told it. */
export function gatewayMetrics(registry: Registry) {
  const upstream = new Counter({
    name: 'bookshelf_upstream_requests_total',
    help: 'Requests sent to an upstream instance, by service, instance and outcome (2xx, 4xx, 5xx, connect_failed, timeout, failed)',
    labelNames: ['service', 'instance', 'outcome'],
    registers: [registry],
  });
  const ejections = new Counter({
    name: 'bookshelf_upstream_ejections_total',
    help: 'Instances ejected after a failed connection, by service and instance',
    labelNames: ['service', 'instance'],
    registers: [registry],
  });
  const discovery = new Counter({
    name: 'bookshelf_discovery_updates_total',
    help: 'Changes of a service’s instances that Consul reported, by service',
    labelNames: ['service'],
    registers: [registry],
  });
  return {
    upstream: (service: string, instance: string, outcome: string) => upstream.inc({ service, instance, outcome }),
    ejected: (service: string, instance: string) => ejections.inc({ service, instance }),
    discovered: (service: string) => discovery.inc({ service }),
  };
}
