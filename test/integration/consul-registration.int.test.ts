import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError, createAgentApi } from '../../bookshelf/adapters/consul/agent-api.js';
import type { CheckStatus } from '../../bookshelf/adapters/consul/registration.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { CONSUL, catalogService, checkStatus, consulGet, createTopic, unique } from '../support/infra.js';
import { startTestView } from '../support/in-process.js';
import { testRegistration } from '../support/test-registration.js';
import { waitFor } from '../support/wait-for.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function registeredView() {
  const topic = unique('consul');
  const name = unique('lastreadbooks');
  await createTopic(topic, 1);
  const view = await startTestView(lastReadView, { topic, name, register: true, 'check-interval': '1s', 'deregister-after': '2m' });
  running.push(view);
  await waitFor(async () => (await catalogService(name)).length === 1, { what: 'registration' });
  return { view, name, topic };
}

describe('Consul registration', () => {
  it('registers name, id, tags, address, port, meta and an HTTP check on /health', async () => {
    const { view, name, topic } = await registeredView();
    const [entry] = await catalogService(name);
    expect(entry).toMatchObject({
      ServiceID: view.id,
      ServiceName: name,
      ServiceTags: ['books', 'last'],
      ServiceAddress: '127.0.0.1',
      ServicePort: view.port,
      ServiceMeta: { role: 'view', topic, version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
    });
    expect(view.id).toMatch(new RegExp(`^${name}-.+-${view.port}$`));
    const checks = await consulGet<Record<string, { ServiceID: string; Type: string; Interval?: string }>>('/v1/agent/checks');
    const check = Object.values(checks).find((c) => c.ServiceID === view.id);
    expect(check).toMatchObject({ Type: 'http', Interval: '1s' });
    const definition = await consulGet<{ Checks?: unknown }>(`/v1/agent/service/${view.id}`);
    expect(definition).toBeTruthy();
  });

  it('registers again by itself when the agent forgets it', async () => {
    const { view, name } = await registeredView();
    const forgot = await fetch(`http://${CONSUL}/v1/agent/service/deregister/${view.id}`, { method: 'PUT' });
    expect(forgot.ok).toBe(true);
    expect(await catalogService(name)).toEqual([]);
    await waitFor(async () => (await catalogService(name)).length === 1, { timeout: 15_000, what: 'registered again' });
  });

  it('tells Consul of a new status and meta at once when the service says they changed, not at its next look', async () => {
    const name = unique('refreshed');
    let status: CheckStatus = 'warning';
    let partitions = '';
    // The next look would be a minute away: only refresh() can bring the change sooner.
    const registration = testRegistration(name, { status: () => status, meta: () => ({ partitions }), statusEveryMs: 60_000 });
    running.push(registration);
    registration.start();
    await waitFor(async () => (await checkStatus(name)).join() === 'warning', { what: 'registered, warning' });

    status = 'passing';
    partitions = '0,2';
    registration.refresh();
    await waitFor(async () => (await checkStatus(name)).join() === 'passing', { timeout: 10_000, what: 'passing after the refresh' });
    expect((await catalogService(name))[0]?.ServiceMeta).toMatchObject({ partitions: '0,2' });
  });

  it('deregisters when stopped', async () => {
    const { view, name } = await registeredView();
    await view.stop();
    expect(await catalogService(name)).toEqual([]);
  });

  it('says what the agent refused, with its status, and gives up on an agent that does not answer', async () => {
    const [host, port] = [CONSUL.split(':')[0]!, Number(CONSUL.split(':')[1])];
    const agent = createAgentApi({ host, port, secure: false });
    const name = unique('agentapi');
    await agent.register({ Name: name, ID: `${name}-1`, Port: 1 });
    expect(await agent.serviceIds()).toContain(`${name}-1`);
    await agent.deregister(`${name}-1`);
    expect(await agent.serviceIds()).not.toContain(`${name}-1`);

    const refused = await agent.register({ Name: name, Port: 'not a port' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentError);
    expect(refused).toMatchObject({ statusCode: 400, retriable: false });
    expect((refused as Error).message).toMatch(/^Consul PUT \/agent\/service\/register.*: 400 /);

    // An agent that takes the connection and never answers: the call fails after its timeout, as one that may answer later.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const stalled = await createAgentApi({ host: '127.0.0.1', port: (silent.address() as { port: number }).port, secure: false }, 200)
        .serviceIds()
        .catch((error: unknown) => error);
      expect(stalled).toBeInstanceOf(Error);
      expect(stalled).not.toBeInstanceOf(AgentError);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
