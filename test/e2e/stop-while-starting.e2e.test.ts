/**
 * A signal that comes while a service is still starting stops it as one that came later would: exit 0, within 2 s,
 * nothing left in Consul. Not the default way, killed by the signal, which leaves a registration behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { catalogService, createTopic, unique } from '../support/infra.js';
import { exitWithin, freePort, runEntry, serviceArgs, type RunningProcess } from '../support/processes.js';

const children: RunningProcess[] = [];
afterEach(() => {
  for (const process of children.splice(0)) process.child.kill('SIGKILL');
});

describe('a service stopped while it starts', () => {
  it('ends its wait for --delay at once on SIGTERM, exits 0 and never starts', async () => {
    const topic = unique('stop-delayed');
    const service = runEntry('last-read', [...serviceArgs({ topic, port: await freePort(), logLevel: 'info' }), '--delay', '30']);
    children.push(service);
    await service.waitForLog('waiting before start');
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');

    expect(await exitWithin(service, 5000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(2000);
    expect(service.lines().map((line) => line.msg)).not.toContain('listening');
  });

  it('stops as soon as it has started on a SIGTERM that came as it began to listen, and leaves nothing in Consul', async () => {
    const topic = unique('stop-starting');
    const name = unique('lastreadbooks');
    await createTopic(topic, 1);
    const service = runEntry('last-read', serviceArgs({ topic, name, port: await freePort(), logLevel: 'info' }));
    children.push(service);
    await service.waitForLog('listening');
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');

    expect(await exitWithin(service, 5000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(2000);
    expect(service.lines().map((line) => line.msg)).toContain('stopped');
    expect(await catalogService(name)).toEqual([]);
  });
});
