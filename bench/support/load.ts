/** HTTP load with autocannon: fixed connections and duration, the same tool for Bookshelf and its baselines. */
import autocannon from 'autocannon';

export interface LoadOptions {
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Replace `[<id>]` in the body with a fresh id on every request. */
  idReplacement?: boolean;
}

export interface LoadResult {
  /** Requests answered 2xx per second. */
  ok: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method ?? 'GET',
    ...(options.body !== undefined && { body: options.body }),
    ...(options.headers && { headers: options.headers }),
    ...(options.idReplacement && { idReplacement: true }),
  });
  return {
    ok: result['2xx'] / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
