/**
 * The calls to the local Consul agent that registration needs, over its HTTP API.
 * The `consul` client has no way to ask for `replace-existing-checks`, which lets a new check
 * (with the service's own current status) replace the old one.
 */
import type { ConsulAddress } from '../../app/connections.js';
import { isOk, requestText } from '../http/request-text.js';

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

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const { status, text } = await requestText(`${root}${path}`, {
      method,
      headers,
      timeoutMs,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!isOk(status)) throw new AgentError(status, `Consul ${method} ${path}: ${status} ${text.trim()}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
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
