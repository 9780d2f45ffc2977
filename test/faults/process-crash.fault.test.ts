/**
 * Process crash: one of two last-read instances is killed with -9 while the shelf gateway spreads
 * reads over both. The gateway must stop sending to it after the first failed request (passive
 * ejection), while Consul's check, run rarely here, still says the dead instance is passing.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../bookshelf/adapters/log/logger.js';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { shelfDefaults, startShelf } from '../../bookshelf/services/shelf.service.js';
import { CONSUL, KAFKA, consulGet, createTopic, pushWithKcat, unique } from '../support/infra.js';
import { freePort, runEntry, serviceArgs, type RunningProcess } from '../support/processes.js';
import { recordReliability } from '../support/reliability-report.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

const REQUESTS_AFTER_KILL = 40;

/** A real pino logger that keeps its lines, to count what the gateway says it did. */
function keptLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', name: 'shelf', destination }), lines };
}

interface HealthEntry {
  Service: { ID: string; Port: number };
  Checks: { ServiceName: string; Status: string }[];
}

const statuses = async (name: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await consulGet<HealthEntry[]>(`/v1/health/service/${name}`)).map((entry) => [
      entry.Service.ID,
      entry.Checks.filter((check) => check.ServiceName === name)
        .map((check) => check.Status)
        .join(','),
    ]),
  );

const deregister = (id: string) => fetch(`http://${CONSUL}/v1/agent/service/deregister/${encodeURIComponent(id)}`, { method: 'PUT' });

describe('the gateway when a view instance crashes', () => {
  const cleanup = cleanupAfterAll();

  it('stops sending to a killed instance after its first failed request, before Consul notices', async () => {
    const topic = unique('crash');
    const name = unique('lastreadbooks');
    await createTopic(topic, 3);
    await pushWithKcat(topic, [JSON.stringify({ name: 'book-read', payload: { id: 'b1', title: 'Dune' } })]);

    // Two instances whose Consul check runs only every ten minutes: Consul cannot notice the crash first.
    const ports = [await freePort(), await freePort()];
    const views: RunningProcess[] = ports.map((port) =>
      runEntry('last-read', serviceArgs({ topic, name, port, checkInterval: '10m', logLevel: 'warn' })),
    );
    const ids: string[] = [];
    cleanup.push(async () => {
      for (const view of views) view.child.kill('SIGKILL');
      await Promise.all(views.map((view) => view.exited));
      await Promise.all(ids.map(deregister));
    });
    for (const port of ports)
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, {
        timeout: 60_000,
        what: `last-read on ${port} healthy`,
      });
    ids.push(
      ...(await waitFor(
        async () => {
          const found = await statuses(name);
          return Object.keys(found).length === 2 && Object.keys(found);
        },
        { what: 'both instances registered' },
      )),
    );
    // They registered before they had read the log, with a critical check that runs again only in ten
    // minutes: removed from the agent, they register again by themselves, now healthy, hence passing.
    for (const id of ids) await deregister(id);
    await waitFor(async () => Object.values(await statuses(name)).join() === 'passing,passing', {
      timeout: 30_000,
      what: 'both instances passing',
    });

    const { logger, lines } = keptLogger();
    const config = resolveConfig(shelfDefaults, {
      cli: { port: '0', broker: [KAFKA], consul: CONSUL, register: false, 'lastread-service': name },
      env: {},
    });
    const shelf = await startShelf(config, { logger });
    cleanup.push(() => shelf.stop());
    const read = async () => {
      const response = await fetch(`${shelf.url}/bookshelf/books/last/read`, { signal: AbortSignal.timeout(15_000) });
      await response.arrayBuffer();
      return { status: response.status, servedBy: response.headers.get('x-served-by') };
    };
    const before = new Set<string | null>();
    await waitFor(
      async () => {
        before.add((await read()).servedBy);
        return before.size === 2;
      },
      { timeout: 30_000, what: 'reads served by both instances' },
    );

    const victim = views[0]!;
    const victimId = ids.find((id) => id.endsWith(`-${ports[0]}`))!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    const after: { status: number; servedBy: string | null }[] = [];
    for (let i = 0; i < REQUESTS_AFTER_KILL; i++) after.push(await read());
    const requestsMs = Date.now() - killedAt;
    const consulSays = (await statuses(name))[victimId];
    const ejections = lines.filter((line) => line.msg === 'instance failed, ejected');
    const listed = (await (await fetch(`${shelf.url}/services`)).json()) as Record<
      string,
      { instances: { id: string; status: string; ejected: boolean }[] }
    >;

    recordReliability('process crash', {
      fault: 'one of two last-read instances behind the shelf gateway is killed with -9; Consul checks them every 10 minutes',
      guarantee: 'the gateway stops sending to it after the first failed request, before Consul notices',
      figures: {
        'requests after the kill': after.length,
        'failed answers to clients': after.filter((answer) => answer.status !== 200).length,
        'upstream failures before ejection': ejections.length,
        'answers from the dead instance': after.filter((answer) => answer.servedBy === victimId).length,
        'Consul check of the dead instance meanwhile': consulSays ?? 'absent',
        'requests took s': Math.round(requestsMs / 100) / 10,
      },
    });

    expect(after.map((answer) => answer.status)).toEqual(Array(REQUESTS_AFTER_KILL).fill(200));
    expect(after.filter((answer) => answer.servedBy === victimId)).toEqual([]);
    expect(ejections.map((line) => line.instance)).toEqual([victimId]);
    expect(consulSays).toBe('passing');
    expect(listed[name]?.instances.find((instance) => instance.id === victimId)).toMatchObject({ status: 'passing', ejected: true });
  });
});
