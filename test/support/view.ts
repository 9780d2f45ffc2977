/** Starts a view in this process, on port 0, against the test run's Kafka and Consul. */
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type ServiceConfig } from '../../bookshelf/adapters/cli/config.js';
import { startView, type ViewDefinition } from '../../bookshelf/services/view-service.js';
import { CONSUL, KAFKA } from './infra.js';
import { silentLogger } from './silent-logger.js';

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

export function testConfig(defaults: ViewDefinition<unknown>['defaults'], cli: Record<string, unknown>): ServiceConfig {
  return resolveConfig(defaults, {
    cli: { port: '0', broker: [KAFKA], consul: CONSUL, register: false, 'state-dir': tempStateDir(), ...cli },
    env: {},
  });
}

export async function startTestView<V>(definition: ViewDefinition<V>, cli: Record<string, unknown>) {
  const service = await startView(definition, testConfig(definition.defaults, cli), { logger: silentLogger() });
  return {
    ...service,
    get: async (path = '/', headers: Record<string, string> = {}) => {
      const response = await fetch(`${service.url}${path}`, { headers });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
  };
}
