/** What one `npm start` owns and knows, passed to each of its steps. */
import type { ChildProcess } from 'node:child_process';
import type { ShelfService } from './start-options.js';

export type InfraName = 'kafka' | 'consul';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningService extends ShelfService {
  child: ChildProcess;
  /** The id it registered under in Consul, from its `listening` line. */
  consulId: string | undefined;
  exit: ChildExit | undefined;
  exited: Promise<ChildExit>;
}

export interface LauncherSettings {
  /** The repository: compose/infra.sh and bookshelf/bin are found from here. */
  root: string;
  startTimeoutMs: number;
  stopGraceMs: number;
  /** Show the services' JSON lines whole instead of one short line each. */
  rawLogs: boolean;
  /** What reaches the four services. */
  childEnv: NodeJS.ProcessEnv;
}

/** The children, and the infrastructure this run started (never what it reused). */
export interface ShelfRun {
  settings: LauncherSettings;
  children: RunningService[];
  infraStarted: InfraName[];
  infraUp: Promise<unknown> | undefined;
  consul: string | undefined;
  stopping: Promise<void> | undefined;
  /** Start-up is over: a service that exits from now on is reported, not treated as a failed start. */
  ready: boolean;
}

export const createShelfRun = (settings: LauncherSettings): ShelfRun => ({
  settings,
  children: [],
  infraStarted: [],
  infraUp: undefined,
  consul: undefined,
  stopping: undefined,
  ready: false,
});

export const say = (line: string): void => void process.stderr.write(`bookshelf: ${line}\n`);
export const show = (line: string): void => void process.stdout.write(`${line}\n`);
