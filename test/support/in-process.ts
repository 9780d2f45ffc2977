/** Starts books, a view or the shelf gateway in this process, on port 0 against the test run's Kafka and Consul. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { resolveConfig, type EntryDefaults, type ServiceConfig } from '../../bookshelf/adapters/cli/config.js';
import { booksDefaults, startBooks } from '../../bookshelf/services/books.service.js';
import type { RunningService, ServiceDeps } from '../../bookshelf/services/service-shell.js';
import { shelfDefaults, startShelf } from '../../bookshelf/services/shelf.service.js';
import { startView, type ViewDefinition } from '../../bookshelf/services/view-service.js';
import { CONSUL, KAFKA } from './infra.js';
import { silentLogger } from './silent-logger.js';

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

const stateDirs: string[] = [];
// Registered in each test file that starts services (modules are loaded once per file).
afterAll(() => {
  for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A state dir of its own for each service a test starts: never the user's; deleted after the test file. */
export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-state-'));
  stateDirs.push(dir);
  return dir;
}

/** The service's config from its defaults and `cli`; `stateful: false` for the gateway, which keeps no state dir. */
export function testConfig(defaults: EntryDefaults, cli: Record<string, unknown>, { stateful = true } = {}): ServiceConfig {
  return resolveConfig(defaults, {
    cli: { port: '0', broker: [KAFKA], consul: CONSUL, register: false, ...(stateful && { 'state-dir': tempStateDir() }), ...cli },
    env: {},
  });
}

/** One starter for every service: start it silently and hand back ways to ask it as a client would. */
async function startInProcess<S extends RunningService>(
  start: (config: ServiceConfig, deps: ServiceDeps) => Promise<S>,
  config: ServiceConfig,
) {
  const service = await start(config, { logger: silentLogger() });
  return {
    ...service,
    send: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      send(service.url, method, path, body, headers),
    get: async (path = '/', headers: Record<string, string> = {}) => {
      const response = await fetch(`${service.url}${path}`, { headers });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
  };
}

export const startTestBooks = (cli: Record<string, unknown>) => startInProcess(startBooks, testConfig(booksDefaults, cli));

export const startTestView = <V>(definition: ViewDefinition<V>, cli: Record<string, unknown>) =>
  startInProcess((config, deps) => startView(definition, config, deps), testConfig(definition.defaults, cli));

export const startTestShelf = (names: { books?: string; booklist?: string; lastread?: string }, cli: Record<string, unknown> = {}) =>
  startInProcess(
    startShelf,
    testConfig(
      shelfDefaults,
      {
        ...(names.books && { 'books-service': names.books }),
        ...(names.booklist && { 'booklist-service': names.booklist }),
        ...(names.lastread && { 'lastread-service': names.lastread }),
        ...cli,
      },
      { stateful: false },
    ),
  );
