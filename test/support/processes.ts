/** Runs entries as real processes, the way a user does: `node last-read …` from bookshelf/bin. */
import { spawnEntry, type EntryProcess } from '../../harness/entry-process.js';
import { binDir } from '../../harness/repo-root.js';

export { killNow } from '../../harness/entry-process.js';
export { freePort, portIsFree } from '../../harness/ports.js';
export { serviceArgs } from '../../harness/service-args.js';

export type RunningProcess = EntryProcess;

export const runEntry = (entry: string, args: string[], env: Record<string, string> = {}): RunningProcess =>
  spawnEntry(entry, args, { cwd: binDir, env });

/** How the process ended, or that it was still running after `ms`. */
export const exitWithin = (running: RunningProcess, ms: number): Promise<unknown> =>
  Promise.race([running.exited, new Promise((resolve) => setTimeout(() => resolve(`still running after ${ms / 1000} s`), ms))]);
