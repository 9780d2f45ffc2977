/** Prometheus metrics of one process, on a registry of its own (several services can share a test process). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Middleware } from 'koa';
import type { EventCounters } from '../../app/ports.js';

export function createMetrics(labels: { service: string }) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });

  const applied = new Counter({ name: 'bookshelf_events_applied_total', help: 'Events applied to the projection', registers: [registry] });
  const rejected = new Counter({ name: 'bookshelf_events_rejected_total', help: 'Messages skipped as invalid, by reason', labelNames: ['reason'], registers: [registry] });
  const ignored = new Counter({ name: 'bookshelf_events_ignored_total', help: 'Events with a name this process does not use', registers: [registry] });
  const duplicates = new Counter({ name: 'bookshelf_events_duplicate_total', help: 'Events skipped because their id was already applied', registers: [registry] });
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

  /** Times every request, labelled by the matched route pattern so that ids do not explode the label set. */
  const timing: Middleware = async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = (ctx as { routerPath?: string; _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      requests.observe({ method: ctx.method, route: String(route), status: String(ctx.status) }, Number(process.hrtime.bigint() - start) / 1e9);
    }
  };

  return { registry, counters, timing };
}

export type Metrics = ReturnType<typeof createMetrics>;
