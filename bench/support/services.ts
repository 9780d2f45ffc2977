/** Runs Bookshelf entries as a user does (`node bookshelf/bin/<entry>.js …`) and watches their JSON log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KAFKA, CONSUL } from './kafka.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface LogLine {
  msg?: string;
  time?: number;
  [field: string]: unknown;
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Date.now() just before the process was spawned. */
  spawnedAt: number;
  /** Resolves with the first log line whose `msg` is `msg`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<LogLine>;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  stop(): Promise<void>;
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
  const args = [
    ...sharedNodeArgs,
    ...(options.nodeArgs ?? []),
    `bookshelf/bin/${entry}.js`,
    '--topic',
    options.topic,
    '--broker',
    KAFKA,
    '--consul',
    CONSUL,
    '--port',
    '0',
    '--log-level',
    'info',
    ...(options.register ? [] : ['--no-register']),
    ...(options.name ? ['--name', options.name] : []),
    // The gateway keeps no state, so it has no snapshot flags.
    ...(options.snapshots || entry === 'shelf' ? [] : ['--no-snapshots']),
    ...(options.extraArgs ?? []),
  ];
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const watchers = new Set<() => void>();
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        lines.push({ msg: part });
      }
    }
    for (const watcher of watchers) watcher();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitForLog = (msg: string, timeoutMs = 120_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const line = lines.find((candidate) => candidate.msg === msg);
        if (!line) return;
        cleanup();
        resolve(line);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${entry}: no log "${msg}" within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
      }, timeoutMs);
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`${entry} exited ${code} before logging "${msg}"; stderr: ${stderr.slice(-500)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        watchers.delete(check);
        child.off('exit', onExit);
      };
      watchers.add(check);
      child.once('exit', onExit);
      check();
    });

  return {
    child,
    spawnedAt,
    waitForLog,
    rss: () => rssOf(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
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
