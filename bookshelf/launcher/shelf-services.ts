/** The four services as child processes: started with their output shown, then awaited in Consul. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { passingInConsul, type ConsulCheck } from '../adapters/consul/discovery.js';
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

type GatewayServices = Record<string, { instances?: { status: string }[] } | undefined>;

/** How long one look at Consul waits for a change of its checks (a blocking query) before looking again anyway. */
const CHANGE_WAIT_MS = 1000;

interface ChecksSeen {
  checks: ConsulCheck[];
  /** Where the next look waits from. */
  index: number;
}

/**
 * The checks of the nodes and of the children, once one of them changed after `index` (a blocking query; at once
 * for index 0) or after `CHANGE_WAIT_MS` without a change. Undefined when a child exits first, or after a failed look and a tenth of a second.
 */
async function checksAfter(run: ShelfRun, consul: string, index: number): Promise<ChecksSeen | undefined> {
  // Only the nodes' checks and those of the shelf's services: a shared Consul may hold many more.
  const filter = ['ServiceID == ""', ...run.children.map((child) => `ServiceName == ${JSON.stringify(child.name)}`)].join(' or ');
  const query = `index=${index}&wait=${CHANGE_WAIT_MS}ms&filter=${encodeURIComponent(filter)}`;
  const looked = requestText(`http://${consul}/v1/health/state/any?${query}`, {
    timeoutMs: CHANGE_WAIT_MS * 2 + 3000,
  }).then(
    ({ status, headers, text }) => {
      const next = Number(headers['x-consul-index']);
      if (!isOk(status) || !Number.isSafeInteger(next) || next <= 0) return delay(100, undefined);
      // Consul's advice: an index that went back (a restarted agent) starts the waits over.
      return { checks: JSON.parse(text) as ConsulCheck[], index: next < index ? 0 : next };
    },
    () => delay(100, undefined),
  );
  return Promise.race([looked, ...run.children.map((child) => child.exited.then(() => undefined))]);
}

/** Until Consul shows every child passing, and the gateway sees the services it routes to. */
export async function waitUntilReady(run: ShelfRun, consul: string, shelfPort: number, gatewayTargets: string[]): Promise<void> {
  const timeout = run.settings.startTimeoutMs;
  const deadline = Date.now() + timeout;
  const passing = new Set<RunningService>();
  let index = 0;
  while (!run.stopping) {
    const dead = run.children.find((child) => child.exit);
    if (dead?.exit) throw new Error(`${dead.entry} exited during start-up (${describeExit(dead.exit)}, see above)`);
    if (passing.size === run.children.length) {
      // The gateway watches Consul itself: it sees them within milliseconds.
      const known = await requestText(`http://127.0.0.1:${shelfPort}/services`, { timeoutMs: 3000 })
        .then(({ text }) => JSON.parse(text) as GatewayServices)
        .catch((): GatewayServices => ({}));
      if (gatewayTargets.every((name) => known[name]?.instances?.some((instance) => instance.status === 'passing'))) return;
      await delay(10);
    } else {
      // Until then, Consul is asked again only when its checks change.
      const seen = await checksAfter(run, consul, index);
      index = seen?.index ?? index;
      for (const child of run.children) {
        if (seen === undefined || passing.has(child) || child.consulId === undefined) continue;
        if (!passingInConsul(seen.checks, child.consulId)) continue;
        passing.add(child);
        say(`${child.entry} is passing in Consul as ${child.name}`);
      }
    }
    if (Date.now() > deadline) {
      const waiting = run.children.filter((c) => !passing.has(c)).map((c) => c.entry);
      throw new Error(
        waiting.length
          ? `not passing in Consul after ${timeout / 1000}s: ${waiting.join(', ')}`
          : 'the gateway does not see the services in Consul',
      );
    }
  }
}
