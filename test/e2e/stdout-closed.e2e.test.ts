/** A service whose stdout nobody reads any more (the pipe's reader ended) still stops on SIGTERM. */
import { afterEach, describe, expect, it } from 'vitest';
import { KAFKA, unique } from '../support/infra.js';
import { exitWithin, runEntry, type RunningProcess } from '../support/processes.js';

const children: RunningProcess[] = [];
afterEach(() => {
  for (const process of children.splice(0)) process.child.kill('SIGKILL');
});

describe('a service whose stdout was closed', () => {
  it('stops on SIGTERM with exit code 0, its log lines refused (EPIPE) rather than retried', async () => {
    const shelf = runEntry('shelf', ['--topic', unique('stdout-closed'), '--broker', KAFKA, '--port', '0', '--no-register']);
    children.push(shelf);
    await shelf.waitForLog('listening');
    // Then nobody reads what it logs.
    shelf.child.stdout!.destroy();
    const stoppedAt = Date.now();
    shelf.child.kill('SIGTERM');
    expect(await exitWithin(shelf, 5000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
  });
});
