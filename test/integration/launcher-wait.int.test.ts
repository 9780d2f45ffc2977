/**
 * `npm start` waits for its four services in Consul: it goes on as soon as each passes, and fails at once, naming it,
 * when one exits first. The services here are small scripts in a folder laid out as the repository is.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createShelfRun, type ShelfRun } from '../../bookshelf/launcher/shelf-run.js';
import { startChild, waitUntilReady } from '../../bookshelf/launcher/shelf-services.js';
import { CONSUL, unique } from '../support/infra.js';

const roots: string[] = [];
const runs: ShelfRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) {
    for (const child of run.children) child.child.kill('SIGTERM');
    await Promise.all(run.children.map((child) => child.exited));
  }
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A run whose `bookshelf/bin/<entry>.js` is the given script. */
function runWith(entry: string, script: string): ShelfRun {
  const root = mkdtempSync(join(tmpdir(), 'launcher-wait-'));
  roots.push(root);
  mkdirSync(join(root, 'bookshelf', 'bin'), { recursive: true });
  writeFileSync(join(root, 'bookshelf', 'bin', `${entry}.js`), script);
  const run = createShelfRun({ root, startTimeoutMs: 60_000, stopGraceMs: 1000, rawLogs: true, childEnv: process.env });
  runs.push(run);
  return run;
}

describe('npm start waiting for its services in Consul', () => {
  it('fails the start when a service exits first, naming it and how it ended', async () => {
    const run = runWith('books', 'setTimeout(() => process.exit(3), 300);');
    startChild(run, { entry: 'books', name: unique('books'), port: 1 }, []);
    await expect(waitUntilReady(run, CONSUL, 1, [])).rejects.toThrow(/^books exited during start-up \(code 3, see above\)$/);
  });

  it('goes on once the service turns from warning to passing', async () => {
    const name = unique('listbooks');
    // Says it listens, registers with a TTL check that is warning, turns it passing a moment later, and stays up.
    const consul = `http://${CONSUL}/v1/agent`;
    const run = runWith(
      'list-books',
      `console.log(JSON.stringify({ msg: 'listening', id: '${name}-1' }));
       const check = { CheckID: '${name}-check', TTL: '1m', Status: 'warning', DeregisterCriticalServiceAfter: '1m' };
       fetch('${consul}/service/register', { method: 'PUT', body: JSON.stringify({ Name: '${name}', ID: '${name}-1', Port: 2, Check: check }) })
         .then(() => setTimeout(() => fetch('${consul}/check/pass/${name}-check', { method: 'PUT' }), 500));
       process.on('SIGTERM', () => fetch('${consul}/service/deregister/${name}-1', { method: 'PUT' }).finally(() => process.exit(0)));
       setInterval(() => {}, 1000);`,
    );
    startChild(run, { entry: 'list-books', name, port: 2 }, []);
    await expect(waitUntilReady(run, CONSUL, 1, [])).resolves.toBeUndefined();
    const health = (await (await fetch(`http://${CONSUL}/v1/health/service/${name}`)).json()) as {
      Checks: { Status: string; ServiceID: string }[];
    }[];
    expect(health.flatMap((entry) => entry.Checks.filter((check) => check.ServiceID !== '').map((check) => check.Status))).toEqual([
      'passing',
    ]);
  });
});
