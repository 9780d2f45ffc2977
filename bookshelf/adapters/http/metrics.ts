/** Prometheus metrics of one process, on a registry of its own (several services can share a test process). */
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Middleware } from 'koa';
import { toProblem } from './problem.js';

export function createMetrics(labels: { service: string }) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });

  const requests = new Histogram({
    name: 'bookshelf_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

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

  return { registry, timing };
}

export type Metrics = ReturnType<typeof createMetrics>;
