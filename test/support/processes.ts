/** Runs entries as real processes, the way a user does: `node last-read …` from bookshelf/bin. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

export const binDir = fileURLToPath(new URL('../../bookshelf/bin/', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  /** Every log line so far, parsed where it is JSON. */
  lines: () => Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(msg: string, timeout?: number): Promise<Record<string, unknown>>;
}

export function runEntry(entry: string, args: string[], env: Record<string, string> = {}): RunningProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: binDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines: () => lines,
    stderr: () => stderr,
    exited,
    waitForLog: (msg, timeout = 30_000) =>
      waitFor(() => lines.find((line) => line.msg === msg), { timeout, what: `log "${msg}" (stderr: ${stderr.slice(-300)})` }),
  };
}

/** A port free right now, for processes that must be told theirs. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Kills a child with SIGKILL, as `kill -9` does, and resolves once it is gone; nothing to do if it already is. */
export async function killNow(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
