/**
 * The request-duration histogram, kept in plain numbers per label set and exported in prom-client's own shape:
 * recording a request is a map lookup and a few additions, where prom-client's `observe` hashes its labels each time.
 */
import type { Metric, Registry } from 'prom-client';

interface Series {
  labels: { method: string; route: string; status: string };
  /** Requests per bucket, not yet cumulative; the last slot takes those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

interface ValuePair {
  labels: Record<string, string | number>;
  sharedLabels: Series['labels'];
  value: number;
  metricName: string;
  exemplar?: null;
}

export interface RequestHistogramOptions {
  name: string;
  help: string;
  buckets: readonly number[];
  registry: Registry;
}

export interface RequestHistogram {
  observe(method: string, route: string, status: number, seconds: number): void;
}

export function createRequestHistogram({ name, help, buckets, registry }: RequestHistogramOptions): RequestHistogram {
  const series: Series[] = [];
  // Nested by route, method and status, so that finding a series builds no key string.
  let index = new Map<string, Map<string, Map<number, Series>>>();

  const seriesOf = (method: string, route: string, status: number): Series => {
    let byMethod = index.get(route);
    if (byMethod === undefined) index.set(route, (byMethod = new Map<string, Map<number, Series>>()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map<number, Series>()));
    let found = byStatus.get(status);
    if (found === undefined) {
      found = {
        labels: { method, route, status: String(status) },
        counts: new Array<number>(buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, found);
      series.push(found);
    }
    return found;
  };

  // As prom-client's Histogram writes them: each bound cumulative, then +Inf, sum and count.
  const valuePairs = (): ValuePair[] => {
    const pairs: ValuePair[] = [];
    for (const { labels, counts, sum, count } of series) {
      let cumulative = 0;
      buckets.forEach((le, i) => {
        cumulative += counts[i]!;
        pairs.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: `${name}_bucket`, exemplar: null });
      });
      pairs.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: `${name}_bucket`, exemplar: null });
      pairs.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum` });
      pairs.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${name}_count` });
    }
    return pairs;
  };
  const header = { name, help, type: 'histogram', aggregator: 'sum' } as const;

  const metric = {
    ...header,
    labelNames: ['method', 'route', 'status'],
    getForPromString: () => Promise.resolve({ ...header, values: valuePairs() }),
    get: () =>
      Promise.resolve({
        ...header,
        values: valuePairs().map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })),
      }),
    reset: () => {
      series.length = 0;
      index = new Map<string, Map<string, Map<number, Series>>>();
    },
  };
  // The registry reads a metric through get/getForPromString and reset only: this object has all three.
  registry.registerMetric(metric as unknown as Metric);

  return {
    observe(method, route, status, seconds) {
      const target = seriesOf(method, route, status);
      let bucket = 0;
      while (bucket < buckets.length && seconds > buckets[bucket]!) bucket++;
      target.counts[bucket]!++;
      target.sum += seconds;
      target.count++;
    },
  };
}
