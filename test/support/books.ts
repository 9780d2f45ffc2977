/** Starts `books` in this process and sends it commands as a client would. */
import { booksDefaults, startBooks } from '../../bookshelf/services/books.service.js';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { CONSUL, KAFKA } from './infra.js';
import { silentLogger } from './silent-logger.js';
import { tempStateDir } from './view.js';

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

export async function send(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...(body !== undefined && { 'Content-Type': 'application/json' }), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

export async function startTestBooks(cli: Record<string, unknown>) {
  const config = resolveConfig(booksDefaults, {
    cli: { port: '0', broker: [KAFKA], consul: CONSUL, register: false, 'state-dir': tempStateDir(), ...cli },
    env: {},
  });
  const service = await startBooks(config, { logger: silentLogger() });
  return {
    ...service,
    send: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      send(service.url, method, path, body, headers),
  };
}
