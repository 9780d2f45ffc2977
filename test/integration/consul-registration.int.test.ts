import { afterEach, describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { CONSUL, catalogService, consulGet, createTopic, unique } from '../support/infra.js';
import { startTestView } from '../support/in-process.js';
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

  it('deregisters when stopped', async () => {
    const { view, name } = await registeredView();
    await view.stop();
    expect(await catalogService(name)).toEqual([]);
  });
});
