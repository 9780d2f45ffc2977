/**
 * A signal that comes while a service is still starting stops it as one that came later would: exit 0, within 2 s,
 * nothing left in Consul. Not the default way, killed by the signal, which leaves a registration behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { catalogService, createTopic, unique } from '../support/infra.js';
import { exitWithin, freePort, runEntry, serviceArgs, type RunningProcess } from '../support/processes.js';

const children: RunningProcess[] = [];

/** Sends SIGTERM once `service` has logged `line`: how it then exited, and how long after the signal. */
async function terminatedAfter(service: RunningProcess, line: string) {
  await service.waitForLog(line);
  const signalledAt = Date.now();
  service.child.kill('SIGTERM');
  const exit = await exitWithin(service, 5000);
  return { exit, ms: Date.now() - signalledAt };
}
afterEach(() => {
  for (const process of children.splice(0)) process.child.kill('SIGKILL');
});

describe('a service stopped while it starts', () => {
  it('ends its wait for --delay at once on SIGTERM, exits 0 and never starts', async () => {
    const topic = unique('stop-delayed');
    const service = runEntry('last-read', [...serviceArgs({ topic, port: await freePort(), logLevel: 'info' }), '--delay', '30']);
    children.push(service);
    const { exit, ms } = await terminatedAfter(service, 'waiting before start');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(2000);
    expect(service.lines().map((line) => line.msg)).not.toContain('listening');
  });

  it('stops as soon as it has started on a SIGTERM that came as it began to listen, and leaves nothing in Consul', async () => {
    const topic = unique('stop-starting');
    const name = unique('lastreadbooks');
    await createTopic(topic, 1);
    const service = runEntry('last-read', serviceArgs({ topic, name, port: await freePort(), logLevel: 'info' }));
    children.push(service);
    const { exit, ms } = await terminatedAfter(service, 'listening');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(2000);
    expect(service.lines().map((line) => line.msg)).toContain('stopped');
    expect(await catalogService(name)).toEqual([]);
  });
});
