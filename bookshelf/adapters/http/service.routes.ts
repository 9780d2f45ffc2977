/** The routes every process has: /health, /metrics, /rejected. */
import Router from '@koa/router';
import type { HealthStatus } from '../../app/health.js';
import type { RejectedEvent } from '../../app/rejected-events.js';
import type { Metrics } from './metrics.js';

export interface ServiceProbes {
  health: () => { status: HealthStatus };
  rejected?: () => RejectedEvent[];
}

/** Consul reads 2xx as passing, 429 as warning, anything else as critical. */
const statusCode: Record<HealthStatus, number> = { pass: 200, warn: 429, fail: 503 };

export function serviceRoutes(probes: ServiceProbes, metrics: Metrics): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    const report = probes.health();
    ctx.status = statusCode[report.status];
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/health+json';
    ctx.body = report;
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  if (probes.rejected) {
    const rejected = probes.rejected;
    router.get('/rejected', (ctx) => {
      ctx.body = rejected();
    });
  }
  return router;
}
