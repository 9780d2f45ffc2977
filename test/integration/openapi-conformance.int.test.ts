/**
 * The API description is checked against the running services by a tester nobody here wrote: Schemathesis
 * generates requests from the gateway's own /openapi.json (examples, boundaries, random and invalid input, and
 * chains of operations that follow its links) and runs every check it has. It must find no failure of any kind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { booksDefaults, startBooks } from '../../bookshelf/services/books.service.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startView } from '../../bookshelf/services/view-service.js';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { CONSUL, KAFKA, createTopic, unique } from '../support/infra.js';
import { startTestShelf } from '../support/in-process.js';
import { silentLogger } from '../support/silent-logger.js';
import { waitFor } from '../support/wait-for.js';

const versions = readFileSync(fileURLToPath(new URL('../../compose/versions.env', import.meta.url)), 'utf8');
const version = /^SCHEMATHESIS_VERSION=(\S+)$/m.exec(versions)?.[1];
const cache = process.env.BOOKSHELF_CACHE ?? `${homedir()}/.cache/bookshelf`;
const schemathesis = `${cache}/schemathesis-${version}/bin/schemathesis`;
const config = fileURLToPath(new URL('../support/schemathesis.toml', import.meta.url));

const cleanup = cleanupAfterAll();

/** Runs in a folder of its own: Schemathesis keeps a cache where it runs. */
function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'bookshelf-schemathesis-'));
  cleanup.push(() => rmSync(cwd, { recursive: true, force: true }));
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the gateway against its own API description', () => {
  it('passes every Schemathesis check, stateful phase included', async () => {
    expect(existsSync(schemathesis), `Schemathesis is installed by compose/install.sh at ${schemathesis}`).toBe(true);
    const topic = unique('openapi');
    const names = { books: unique('books'), booklist: unique('booklist'), lastread: unique('lastread') };
    await createTopic(topic, 3);
    const cli = (name: string) => ({ port: '0', broker: [KAFKA], consul: CONSUL, topic, name, 'check-interval': '1s' });
    const logger = { logger: silentLogger() };
    const books = await startBooks(resolveConfig(booksDefaults, { cli: cli(names.books), env: {} }), logger);
    cleanup.push(() => books.stop());
    const list = await startView(listBooksView, resolveConfig(listBooksView.defaults, { cli: cli(names.booklist), env: {} }), logger);
    cleanup.push(() => list.stop());
    const last = await startView(lastReadView, resolveConfig(lastReadView.defaults, { cli: cli(names.lastread), env: {} }), logger);
    cleanup.push(() => last.stop());
    const shelf = await startTestShelf(names);
    cleanup.push(() => shelf.stop());
    await waitFor(
      async () => {
        const services = (await shelf.send('GET', '/services')).body as Record<string, { instances: { status: string }[] }>;
        return Object.values(names).every((name) => services[name]?.instances.some((i) => i.status === 'passing'));
      },
      { timeout: 30_000, what: 'the gateway to see books, list-books and last-read passing' },
    );

    const { code, output } = await run(schemathesis, [
      '--config-file',
      config,
      'run',
      `${shelf.url}/openapi.json`,
      '--seed',
      process.env.SCHEMATHESIS_SEED ?? '20261201',
      '--max-examples',
      process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '30',
      '--checks',
      'all',
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--workers',
      '1',
      '--request-timeout',
      '15',
      '--no-shrink',
      '--suppress-health-check',
      'too_slow',
      // e.g. '--report ndjson --report-dir test-results/schemathesis' to see every request it made
      ...(process.env.SCHEMATHESIS_ARGS?.split(' ').filter(Boolean) ?? []),
    ]);
    // What Schemathesis printed says which check failed, on which request, and how to reproduce it.
    expect(code, output).toBe(0);
    expect(output).toMatch(/Stateful/i);
  }, 170_000);
});
