/** Runs Bookshelf entries as a user does (`node bookshelf/bin/<entry>.js …`) and watches their JSON log lines. */
import { readFileSync } from 'node:fs';
import { spawnEntry, type EntryProcess } from '../../harness/entry-process.js';
import { repoRoot } from '../../harness/repo-root.js';
import { serviceArgs } from '../../harness/service-args.js';

export { repoRoot } from '../../harness/repo-root.js';
export type { LogLine } from '../../harness/entry-process.js';

export interface ServiceProcess extends EntryProcess {
  /** Resident set size in bytes, from /proc. */
  rss(): number;
}

export interface ServiceOptions {
  topic: string;
  register?: boolean;
  name?: string;
  extraArgs?: string[];
  /** Keep snapshots (in --state-dir given in extraArgs); off otherwise, so that figures measure a full replay. */
  snapshots?: boolean;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** Extra node flags for every service process, from BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=.bench/profiles"). */
const sharedNodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

export function startService(entry: 'last-read' | 'list-books' | 'books' | 'shelf', options: ServiceOptions): ServiceProcess {
  const nodeArgs = [...sharedNodeArgs, ...(options.nodeArgs ?? [])];
  const args = [
    ...serviceArgs({
      topic: options.topic,
      port: 0,
      name: options.name || undefined,
      register: options.register ?? false,
      logLevel: 'info',
    }),
    // The gateway keeps no state, so it has no snapshot flags.
    ...(options.snapshots || entry === 'shelf' ? [] : ['--no-snapshots']),
    ...(options.extraArgs ?? []),
  ];
  const service = spawnEntry(`bookshelf/bin/${entry}.js`, args, { cwd: repoRoot, nodeArgs, logTimeoutMs: 120_000 });
  return { ...service, rss: () => rssOf(service.child.pid!) };
}

/** Starts an entry and waits until it listens; the url is known then. */
export async function startListening(
  entry: 'last-read' | 'list-books' | 'books' | 'shelf',
  options: ServiceOptions,
): Promise<ServiceProcess & { url: string }> {
  const service = startService(entry, options);
  try {
    const line = await service.waitForLog('listening');
    return { ...service, url: String(line.url) };
  } catch (error) {
    await service.stop();
    throw error;
  }
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Polls `GET /health` until it answers 200 (pass). */
export async function waitHealthy(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/health`).catch(() => null);
    if (response) await response.arrayBuffer();
    if (response?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} not healthy within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
