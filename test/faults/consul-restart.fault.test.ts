/**
 * Consul agent restart: a Consul agent of this test's own is killed with -9 and started again with
 * an empty catalog (a dev agent keeps nothing). Every running service must be registered again
 * within 15 s, by itself, without being restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTopic, unique } from '../support/infra.js';
import { freePort, killNow, portIsFree, runEntry, serviceArgs, type RunningProcess } from '../support/processes.js';
import { recordReliability, seconds } from '../support/reliability-report.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

const consulRun = fileURLToPath(new URL('../../compose/consul-run.sh', import.meta.url));
const REREGISTER_WITHIN_MS = 15_000;
/** consul-run.sh's default ports, each moved by --port-offset. */
const CONSUL_PORTS = [8500, 8600, 8300, 8301, 8302, 8502, 8503];

/** A --port-offset whose every port is free now. */
async function freeOffset(): Promise<number> {
  for (;;) {
    const offset = 20_000 + Math.floor(Math.random() * 300) * 100;
    const free = await Promise.all(CONSUL_PORTS.map((port) => portIsFree(port + offset)));
    if (free.every(Boolean)) return offset;
  }
}

async function consulAgent() {
  const offset = await freeOffset();
  const http = 8500 + offset;
  let child: ChildProcess | undefined;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${http}${path}`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) throw new Error(`Consul ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    address: `127.0.0.1:${http}`,
    get,
    async start(): Promise<void> {
      child = spawn('bash', [consulRun, '--port-offset', String(offset)], { stdio: 'ignore' });
      await waitFor(async () => (await get<string>('/v1/status/leader')) !== '', {
        timeout: 60_000,
        interval: 100,
        what: `Consul agent on ${http}`,
      });
    },
    async kill(): Promise<void> {
      const current = child;
      child = undefined;
      await killNow(current);
    },
  };
}

describe('services when their Consul agent restarts', () => {
  const cleanup = cleanupAfterAll();

  it('registers every running service again within 15 s, without restarting it', async () => {
    const consul = await consulAgent();
    cleanup.push(() => consul.kill());
    await consul.start();
    const topic = unique('consul-restart');
    await createTopic(topic, 3);

    const names = { books: unique('books'), booklist: unique('booklist'), lastreadbooks: unique('lastreadbooks'), shelf: unique('shelf') };
    const roleOf = Object.fromEntries(Object.entries(names).map(([role, name]) => [name, role]));
    const common = (name: string, port: number) =>
      serviceArgs({ topic, consul: consul.address, name, port, checkInterval: '1s', logLevel: 'warn' });
    const shelfPort = await freePort();
    const services: Record<string, RunningProcess> = {
      [names.books]: runEntry('books', common(names.books, await freePort())),
      [names.booklist]: runEntry('list-books', common(names.booklist, await freePort())),
      [names.lastreadbooks]: runEntry('last-read', common(names.lastreadbooks, await freePort())),
      [names.shelf]: runEntry('shelf', [
        ...common(names.shelf, shelfPort),
        '--books-service',
        names.books,
        '--booklist-service',
        names.booklist,
        '--lastread-service',
        names.lastreadbooks,
      ]),
    };
    for (const service of Object.values(services)) cleanup.push(() => void service.child.kill('SIGKILL'));

    const passing = async (name: string): Promise<boolean> => {
      const entries = await consul.get<{ Checks: { ServiceName: string; Status: string }[] }[]>(`/v1/health/service/${name}`);
      return (
        entries.length === 1 &&
        entries[0]!.Checks.filter((check) => check.ServiceName === name).every((check) => check.Status === 'passing')
      );
    };
    const throughShelf = async () => {
      try {
        return (await fetch(`http://127.0.0.1:${shelfPort}/bookshelf/books`, { signal: AbortSignal.timeout(5000) })).status === 200;
      } catch {
        return false;
      }
    };
    for (const name of Object.keys(services)) await waitFor(() => passing(name), { timeout: 60_000, what: `${name} passing in Consul` });
    await waitFor(throughShelf, { timeout: 30_000, what: 'shelf routing to list-books' });
    const pids = Object.values(services).map((service) => service.child.pid);

    // Reads through the gateway all along: it keeps routing with the instances it last knew.
    const reads = { ok: 0, failed: 0 };
    let reading = true;
    const reader = (async () => {
      while (reading) {
        if (await throughShelf()) reads.ok++;
        else reads.failed++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await consul.kill();
    await consul.start();
    const backAt = Date.now();
    // A dev agent keeps nothing: whatever it lists now registered again by itself.
    const knownAtOnce = Object.keys(await consul.get<Record<string, unknown>>('/v1/agent/services')).length;

    const registeredAfter: Record<string, number> = {};
    const passingAfter: Record<string, number> = {};
    await Promise.all(
      Object.keys(services).map(async (name) => {
        await waitFor(async () => (await consul.get<unknown[]>(`/v1/catalog/service/${name}`)).length === 1, {
          timeout: 60_000,
          interval: 100,
          what: `${name} registered again`,
        });
        registeredAfter[name] = Date.now() - backAt;
        await waitFor(() => passing(name), { timeout: 60_000, interval: 100, what: `${name} passing again` });
        passingAfter[name] = Date.now() - backAt;
      }),
    );
    reading = false;
    await reader;

    const slowest = Math.max(...Object.values(registeredAfter));
    recordReliability('Consul agent restart', {
      fault: 'the Consul agent of books, list-books, last-read and shelf is killed with -9 and started again with an empty catalog',
      guarantee: 'every service registers again within 15 s by itself, without a restart of its own',
      figures: {
        services: Object.keys(services).length,
        'registered when the agent first answered': knownAtOnce,
        'slowest re-registration s': seconds(slowest),
        'passing again s': Object.entries(passingAfter)
          .map(([name, ms]) => `${roleOf[name]} ${seconds(ms)}`)
          .join(', '),
        'reads through shelf meanwhile': reads.ok + reads.failed,
        'of which failed': reads.failed,
        'services restarted': Object.values(services).filter(
          (service, i) => service.child.pid !== pids[i] || service.child.exitCode !== null,
        ).length,
      },
    });

    expect(Object.values(services).map((service) => [service.child.pid, service.child.exitCode])).toEqual(pids.map((pid) => [pid, null]));
    expect(Object.entries(registeredAfter).filter(([, ms]) => ms > REREGISTER_WITHIN_MS)).toEqual([]);
  });
});
