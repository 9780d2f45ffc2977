/** HTTP GET load with wrk (one thread, fixed connections and duration): requests/s and latency percentiles. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface WrkResult {
  /** Requests answered per second, whatever their status. */
  rps: number;
  /** Answers that were not 2xx or 3xx, and socket errors. */
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

const toMs = (text: string): number => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!match) throw new Error(`wrk: unreadable latency ${text}`);
  return Number(match[1]) * (match[2] === 'us' ? 0.001 : match[2] === 's' ? 1000 : 1);
};

export async function wrk(
  url: string,
  { connections, seconds, headers = {} }: { connections: number; seconds: number; headers?: Record<string, string> },
): Promise<WrkResult> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const { stdout } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url]);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const p50 = /^\s+50%\s+(\S+)/m.exec(stdout);
  const p99 = /^\s+99%\s+(\S+)/m.exec(stdout);
  if (!rps || !p50 || !p99) throw new Error(`wrk: unreadable output\n${stdout}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { rps: Number(rps[1]), failed: non2xx + socketErrors, p50Ms: toMs(p50[1]!), p99Ms: toMs(p99[1]!) };
}
