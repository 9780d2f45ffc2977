/** The flags of every service that keeps snapshots (the views and `books`). */
import { flag, integer, seconds, text, type OptionSpec } from './options.js';

export const snapshotOptions: OptionSpec[] = [
  {
    flag: 'state-dir',
    type: 'string',
    env: 'BOOKSHELF_STATE_DIR',
    describe: "folder of this instance's snapshots",
    defaultDescription: '$XDG_STATE_HOME/bookshelf/<id> (~/.local/state/bookshelf/<id>)',
    parse: text(),
  },
  {
    flag: 'snapshots',
    type: 'boolean',
    default: true,
    describe: 'keep snapshots and start from them (--no-snapshots: replay the whole log at every start)',
    parse: flag,
  },
  {
    flag: 'snapshot-every',
    type: 'number',
    default: 100_000,
    describe: 'write a snapshot after this many events applied',
    parse: integer(1, 1_000_000_000),
  },
  {
    flag: 'snapshot-interval',
    type: 'number',
    default: 300,
    describe: 'write a snapshot after this many seconds, when anything changed',
    parse: seconds,
  },
];

export interface SnapshotConfig {
  enabled: boolean;
  /** Undefined: the default folder for the service id. */
  stateDir?: string;
  every: number;
  intervalSeconds: number;
}

export function snapshotConfig(extra: Record<string, unknown>): SnapshotConfig {
  return {
    enabled: extra.snapshots === true,
    ...(typeof extra['state-dir'] === 'string' && { stateDir: extra['state-dir'] }),
    every: (extra['snapshot-every'] as number | undefined) ?? 100_000,
    intervalSeconds: (extra['snapshot-interval'] as number | undefined) ?? 300,
  };
}
