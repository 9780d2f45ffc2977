/**
 * Where the services started by one test run keep their snapshots (`XDG_STATE_HOME`): a folder of this run, never the
 * user's state dir, deleted when the run ends. The config and the global set-up both run in vitest's main process.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const testStateHome = join(tmpdir(), `bookshelf-test-state-${process.pid}`);
