/** Runs a Bookshelf entry as a real process (`node <entry> …`) and watches its JSON log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readLines } from '../bookshelf/launcher/start-log.js';

export interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EntryProcess {
  child: ChildProcess;
  /** Date.now() just before the process was spawned. */
  spawnedAt: number;
  /** Every stdout line so far, parsed where it is JSON (else `{ msg: line }`). */
  lines(): LogLine[];
  stderr(): string;
  exited: Promise<ProcessExit>;
  /** The first line whose `msg` is `msg`; fails once the process has ended without it, or after the timeout. */
  waitForLog(msg: string, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM, SIGKILL after 5 s, resolved once it is gone. */
  stop(): Promise<void>;
}

export interface EntryOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Node flags before the script, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** waitForLog's timeout when none is given. */
  logTimeoutMs?: number;
}

const isGone = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

export function spawnEntry(
  script: string,
  args: string[],
  { cwd, env = {}, nodeArgs = [], logTimeoutMs = 30_000 }: EntryOptions,
): EntryProcess {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnedAt = Date.now();
  const lines: LogLine[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  let closed = false;
  readLines(child.stdout, (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ msg: line });
    }
    for (const watcher of watchers) watcher();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close' comes after the last stdout line, so a line logged just before exit is never missed.
  child.once('close', () => {
    closed = true;
    for (const watcher of watchers) watcher();
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const waitForLog = (msg: string, timeoutMs = logTimeoutMs): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const line = lines.find((candidate) => candidate.msg === msg);
        if (line) {
          cleanup();
          resolve(line);
        } else if (closed) {
          cleanup();
          reject(
            new Error(`${script} ended (${child.exitCode ?? child.signalCode}) before logging "${msg}"; stderr: ${stderr.slice(-500)}`),
          );
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${script}: no log "${msg}" within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        watchers.delete(check);
      };
      watchers.add(check);
      check();
    });

  return {
    child,
    spawnedAt,
    lines: () => lines,
    stderr: () => stderr,
    exited,
    waitForLog,
    async stop() {
      if (isGone(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills a child with SIGKILL, as `kill -9` does, and resolves once it is gone; nothing to do if it already is. */
export async function killNow(child: ChildProcess | undefined): Promise<void> {
  if (!child || isGone(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
