/** Prometheus metrics of one process, on a registry of its own (several services can share a test process). */
import { performance } from 'node:perf_hooks';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Context, Middleware } from 'koa';
import { toProblem } from './problem.js';
import { createRequestHistogram } from './request-histogram.js';

/** A request answered by a route outside @koa/router names its pattern here, for the metrics' `route` label. */
export interface RoutedContext {
  routePattern?: string;
}

/** The route pattern @koa/router matched: a layer without methods (a router's own middleware) matches any path. */
function matchedRoute(ctx: Context): string {
  const matched = (ctx as { matched?: { path: unknown; methods: string[] }[] }).matched ?? [];
  return (
    matched.findLast((layer): layer is { path: string; methods: string[] } => layer.methods.length > 0 && typeof layer.path === 'string')
      ?.path ?? 'unmatched'
  );
}

export function createMetrics(labels: { service: string }) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });

  const requests = createRequestHistogram({
    name: 'bookshelf_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry,
  });

  /** Times every request, labelled by the route pattern it matched (ids do not explode the label set), else `unmatched`. */
  const timing: Middleware = async (ctx, next) => {
    const start = performance.now();
    let status: number | undefined;
    try {
      await next();
    } catch (error) {
      status = toProblem(error).status;
      throw error;
    } finally {
      const route = (ctx as RoutedContext).routePattern ?? matchedRoute(ctx);
      requests.observe(ctx.method, route, status ?? ctx.status, (performance.now() - start) / 1000);
    }
  };

  return { registry, timing };
}

export type Metrics = ReturnType<typeof createMetrics>;
