/**
 * The calls to the local Consul agent that registration needs, over its HTTP API.
 * The `consul` client has no way to ask for `replace-existing-checks`, which lets a new check
 * (with the service's own current status) replace the old one.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ConsulAddress } from '../../app/connections.js';

export class AgentError extends Error {
  /** An agent that is busy or failing may answer later; a refused or malformed request gets the same answer again. */
  readonly retriable: boolean;

  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.retriable = statusCode >= 500 || statusCode === 429;
  }
}

export function createAgentApi({ host, port, secure, token }: ConsulAddress, timeoutMs = 1000) {
  const root = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/v1`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(token !== undefined && { 'X-Consul-Token': token }) };

  // node:http rather than fetch: a service's first fetch loads undici, some 40 ms of CPU while the service starts.
  const send = secure ? httpsRequest : httpRequest;

  function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const outgoing = send(
        `${root}${path}`,
        {
          method,
          headers: payload === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(payload) },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (incoming) => {
          const pieces: Buffer[] = [];
          incoming.on('data', (piece: Buffer) => pieces.push(piece));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const text = Buffer.concat(pieces).toString('utf8');
            const status = incoming.statusCode ?? 0;
            if (status < 200 || status > 299) return reject(new AgentError(status, `Consul ${method} ${path}: ${status} ${text.trim()}`));
            try {
              resolve(text === '' ? undefined : (JSON.parse(text) as unknown));
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  return {
    /** Registers (or updates) a service; checks the request leaves out are removed. */
    register: async (definition: object): Promise<void> => {
      await call('PUT', '/agent/service/register?replace-existing-checks=true', definition);
    },
    deregister: async (id: string): Promise<void> => {
      await call('PUT', `/agent/service/deregister/${encodeURIComponent(id)}`);
    },
    serviceIds: async (): Promise<Set<string>> => new Set(Object.keys((await call('GET', '/agent/services')) as Record<string, unknown>)),
    /** The ids of the checks Consul's catalog lists for the instances of a service (what its health API answers from). */
    listedChecks: async (service: string): Promise<Set<string>> =>
      new Set(
        ((await call('GET', `/health/checks/${encodeURIComponent(service)}`)) as { CheckID: string }[]).map((check) => check.CheckID),
      ),
  };
}

export type AgentApi = ReturnType<typeof createAgentApi>;
