/** Forwards one request to an upstream instance over a kept-alive connection, and brings its answer back. */
import { Agent, request } from 'node:http';

export interface Upstream {
  address: string;
  port: number;
}

export interface ForwardRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
}

export interface ForwardResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The connection failed before the upstream could have acted on the request: safe to try another. */
export class ConnectFailedError extends Error {
  readonly retriable = true;

  constructor(
    readonly upstream: Upstream,
    override readonly cause: Error,
  ) {
    super(`cannot reach ${upstream.address}:${upstream.port}: ${cause.message}`, { cause });
  }
}

/** The request was sent and no answer came in time: the upstream may have acted on it, so it is not sent again. */
export class UpstreamTimeoutError extends Error {
  readonly retriable = false;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

export function createProxy() {
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 });

  function forward(upstream: Upstream, req: ForwardRequest): Promise<ForwardResponse> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const outgoing = request(
        { host: upstream.address, port: upstream.port, method: req.method, path: req.path, headers: req.headers, agent },
        (incoming) => {
          answered = true;
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers[name] = value;
            resolve({ status: incoming.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
          });
        },
      );
      outgoing.setTimeout(req.timeoutMs, () =>
        outgoing.destroy(new UpstreamTimeoutError(`no answer from ${upstream.address}:${upstream.port} in ${req.timeoutMs} ms`)),
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (answered || error instanceof UpstreamTimeoutError) return reject(error);
        // A reused keep-alive socket the upstream closed, or a refused connection: nothing was acted on.
        const reusedSocketClosed = outgoing.reusedSocket && error.code === 'ECONNRESET';
        if (NOT_SENT.has(error.code ?? '') || reusedSocketClosed || (error.code === 'ECONNRESET' && req.method === 'GET')) {
          return reject(new ConnectFailedError(upstream, error));
        }
        reject(error);
      });
      outgoing.end(req.body);
    });
  }

  return { forward, close: () => agent.destroy() };
}

export type Proxy = ReturnType<typeof createProxy>;
