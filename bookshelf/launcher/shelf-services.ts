/** The four services as child processes: started with their output shown, then awaited in Consul. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hasOwnCheck } from '../adapters/consul/discovery.js';
import { isOk, requestText } from '../adapters/http/request-text.js';
import { shutdown } from './shutdown.js';
import { formatLogLine, readLines } from './start-log.js';
import { say, show, type ChildExit, type RunningService, type ShelfRun } from './shelf-run.js';
import type { ShelfService } from './start-options.js';

const describeExit = ({ code, signal }: ChildExit): string => (signal ? `signal ${signal}` : `code ${code}`);

export function startChild(run: ShelfRun, service: ShelfService, args: string[]): RunningService {
  const { root, childEnv, rawLogs } = run.settings;
  const child = spawn(process.execPath, [join(root, 'bookshelf', 'bin', `${service.entry}.js`), ...args], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${service.entry}]`.padEnd(13);
  const running: RunningService = {
    ...service,
    child,
    consulId: undefined,
    exit: undefined,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.exit = { code, signal };
        resolve(running.exit);
      });
    }),
  };
  readLines(child.stdout, (line) => {
    const { text, record } = formatLogLine(line);
    if (record?.msg === 'listening' && typeof record.id === 'string') running.consulId = record.id;
    show(`${prefix}${rawLogs ? line : text}`);
  });
  readLines(child.stderr, (line) => void process.stderr.write(`${prefix}${line}\n`));
  void running.exited.then((exit) => {
    if (run.stopping || !run.ready) return; // start-up reports its own failures
    const left = run.children.filter((other) => !other.exit);
    if (left.length === 0) {
      say(`${service.entry} exited unexpectedly (${describeExit(exit)}); no service is left, stopping`);
      void shutdown(run, 1);
    } else {
      say(`${service.entry} exited unexpectedly (${describeExit(exit)}); the others keep running (Ctrl-C stops them)`);
    }
  });
  run.children.push(running);
  return running;
}

interface HealthEntry {
  Service: { ID: string; Port: number };
  Checks: { Status: string; ServiceID?: string }[];
}

const consulHealth = async (consul: string, path: string): Promise<HealthEntry[]> => {
  const { status, text } = await requestText(`http://${consul}${path}`, { timeoutMs: 3000 });
  if (!isOk(status)) throw new Error(`Consul ${path}: ${status}`);
  return JSON.parse(text) as HealthEntry[];
};

type GatewayServices = Record<string, { instances?: { status: string }[] } | undefined>;

/** How long one look at Consul waits for a change of its checks (a blocking query) before looking again anyway. */
const CHANGE_WAIT_MS = 1000;

/**
 * Resolves once any check in Consul changed after `index` (a blocking query), after `CHANGE_WAIT_MS` without a change,
 * or when a child exits; gives the index to wait from next. A failed look pauses a tenth of a second.
 */
async function checksChanged(run: ShelfRun, consul: string, index: number): Promise<number> {
  const looked = requestText(`http://${consul}/v1/health/state/any?index=${index}&wait=${CHANGE_WAIT_MS}ms`, {
    timeoutMs: CHANGE_WAIT_MS * 2 + 3000,
  }).then(
    ({ status, headers }) => {
      const next = Number(headers['x-consul-index']);
      // Consul's advice: an index that went back (a restarted agent) starts the waits over.
      return isOk(status) && Number.isSafeInteger(next) && next > 0 ? (next < index ? 0 : next) : delay(100, index);
    },
    () => delay(100, index),
  );
  return Promise.race([looked, ...run.children.map((child) => child.exited.then(() => index))]);
}

/** Until Consul shows every child passing, and the gateway sees the services it routes to. */
export async function waitUntilReady(run: ShelfRun, consul: string, shelfPort: number, gatewayTargets: string[]): Promise<void> {
  const timeout = run.settings.startTimeoutMs;
  const deadline = Date.now() + timeout;
  const passing = new Set<RunningService>();
  let gatewaySees = false;
  let index = 0;
  while (!run.stopping) {
    const dead = run.children.find((child) => child.exit);
    if (dead?.exit) throw new Error(`${dead.entry} exited during start-up (${describeExit(dead.exit)}, see above)`);
    for (const child of run.children.filter((c) => !passing.has(c))) {
      const entries = await consulHealth(consul, `/v1/health/service/${encodeURIComponent(child.name)}?passing=true`).catch(
        (): HealthEntry[] => [],
      );
      if (entries.some((entry) => entry.Service.Port === child.port && hasOwnCheck(entry))) {
        passing.add(child);
        say(`${child.entry} is passing in Consul as ${child.name}`);
      }
    }
    if (passing.size === run.children.length && !gatewaySees) {
      const known = await requestText(`http://127.0.0.1:${shelfPort}/services`, { timeoutMs: 3000 })
        .then(({ text }) => JSON.parse(text) as GatewayServices)
        .catch((): GatewayServices => ({}));
      gatewaySees = gatewayTargets.every((name) => known[name]?.instances?.some((instance) => instance.status === 'passing'));
    }
    if (gatewaySees) return;
    if (Date.now() > deadline) {
      const waiting = run.children.filter((c) => !passing.has(c)).map((c) => c.entry);
      throw new Error(
        waiting.length
          ? `not passing in Consul after ${timeout / 1000}s: ${waiting.join(', ')}`
          : 'the gateway does not see the services in Consul',
      );
    }
    // Until all pass, the next look is when Consul's checks change; then the gateway, which watches Consul itself,
    // sees them within milliseconds.
    if (passing.size < run.children.length) index = await checksChanged(run, consul, index);
    else await delay(10);
  }
}
