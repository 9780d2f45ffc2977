/** Prometheus metrics of one process, on a registry of its own (several services can share a test process). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Middleware } from 'koa';
import type { EventCounters } from '../../app/ports.js';
import { toProblem } from './problem.js';

/** `events: false` for a process that reads no log (the gateway): no event counters that would stay 0. */
export function createMetrics(labels: { service: string }, { events = true }: { events?: boolean } = {}) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });

  const registers = events ? [registry] : [];
  const applied = new Counter({ name: 'bookshelf_events_applied_total', help: 'Events applied to the projection', registers });
  const rejected = new Counter({
    name: 'bookshelf_events_rejected_total',
    help: 'Messages skipped as invalid, by reason',
    labelNames: ['reason'],
    registers,
  });
  const ignored = new Counter({ name: 'bookshelf_events_ignored_total', help: 'Events with a name this process does not use', registers });
  const duplicates = new Counter({
    name: 'bookshelf_events_duplicate_total',
    help: 'Events skipped because their id was already applied',
    registers,
  });
  const requests = new Histogram({
    name: 'bookshelf_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  const counters: EventCounters = {
    applied: (count) => applied.inc(count),
    rejected: (reason) => rejected.inc({ reason }),
    ignored: () => ignored.inc(),
    duplicate: () => duplicates.inc(),
  };

  /** Times every request, labelled by the route pattern it matched (ids do not explode the label set), else `unmatched`. */
  const timing: Middleware = async (ctx, next) => {
    const start = process.hrtime.bigint();
    let status: number | undefined;
    try {
      await next();
    } catch (error) {
      status = toProblem(error).status;
      throw error;
    } finally {
      const matched = (ctx as { matched?: { path: unknown; methods: string[] }[] }).matched ?? [];
      // A layer without methods (a router's own middleware) matches any path: only a route names one.
      const route =
        matched.findLast(
          (layer): layer is { path: string; methods: string[] } => layer.methods.length > 0 && typeof layer.path === 'string',
        )?.path ?? 'unmatched';
      requests.observe({ method: ctx.method, route, status: String(status ?? ctx.status) }, Number(process.hrtime.bigint() - start) / 1e9);
    }
  };

  return { registry, counters, timing };
}

export type Metrics = ReturnType<typeof createMetrics>;
