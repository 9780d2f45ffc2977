/** The flags of every service that keeps snapshots (the views and `books`). */
import { flag, integer, option, optionValues, seconds, text } from './options.js';

export const snapshotOptions = [
  option({
    flag: 'state-dir',
    type: 'string',
    env: 'BOOKSHELF_STATE_DIR',
    describe: "folder of this instance's snapshots",
    defaultDescription: '$XDG_STATE_HOME/bookshelf/<id> (~/.local/state/bookshelf/<id>)',
    parse: text(),
  }),
  option({
    flag: 'snapshots',
    type: 'boolean',
    default: true,
    describe: 'keep snapshots and start from them (--no-snapshots: replay the whole log at every start)',
    parse: flag,
  }),
  option({
    flag: 'snapshot-every',
    type: 'number',
    default: 100_000,
    describe: 'write a snapshot after this many events applied',
    parse: integer(1, 1_000_000_000),
  }),
  option({
    flag: 'snapshot-interval',
    type: 'number',
    default: 300,
    describe: 'write a snapshot after this many seconds, when anything changed',
    parse: seconds,
  }),
];

export interface SnapshotConfig {
  enabled: boolean;
  /** Undefined: the default folder for the service id. */
  stateDir?: string;
  every: number;
  intervalSeconds: number;
}

export function snapshotConfig(extra: Readonly<Record<string, unknown>>): SnapshotConfig {
  const values = optionValues(snapshotOptions, extra);
  return {
    enabled: values.snapshots,
    ...(values['state-dir'] !== undefined && { stateDir: values['state-dir'] }),
    every: values['snapshot-every'],
    intervalSeconds: values['snapshot-interval'],
  };
}
