import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRequestHistogram } from '../../bookshelf/adapters/http/request-histogram.js';

const buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const name = 'bookshelf_http_request_duration_seconds';
const help = 'HTTP requests by method, route and status';

/** The same requests, on one side into prom-client's Histogram, on the other into ours. */
function both() {
  const theirs = new Registry();
  theirs.setDefaultLabels({ service: 'lastreadbooks' });
  const reference = new Histogram({ name, help, labelNames: ['method', 'route', 'status'], buckets, registers: [theirs] });
  const ours = new Registry();
  ours.setDefaultLabels({ service: 'lastreadbooks' });
  const histogram = createRequestHistogram({ name, help, buckets, registry: ours });
  const observe = (method: string, route: string, status: number, seconds: number) => {
    reference.observe({ method, route, status: String(status) }, seconds);
    histogram.observe(method, route, status, seconds);
  };
  return { theirs, ours, observe };
}

describe('the request histogram', () => {
  it('exports what prom-client would for the same requests: buckets on and between bounds, above every bound, zero', async () => {
    const { theirs, ours, observe } = both();
    const samples = [0, 0.0004, 0.001, 0.0011, 0.03, 0.3, 2.5, 7, 0.002];
    for (const seconds of samples) observe('GET', '/', 200, seconds);
    observe('HEAD', '/', 200, 0.0002);
    observe('GET', 'unmatched', 404, 0.004);
    observe('GET', '/', 304, 0.0003);
    observe('POST', '/', 405, 0.06);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('counts every request of a label set, and starts again from nothing after a reset', async () => {
    const { theirs, ours, observe } = both();
    for (let i = 0; i < 1000; i++) observe('GET', '/:id', i % 3 === 0 ? 404 : 200, (i % 50) / 1000);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toMatch(/_count\{service="lastreadbooks",method="GET",route="\/:id",status="404"\} 334/);
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    observe('GET', '/', 200, 0.001);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
