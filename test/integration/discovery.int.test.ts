import { afterEach, describe, expect, it } from 'vitest';
import { createConsulClient } from '../../bookshelf/adapters/consul/consul-client.js';
import { createDiscovery, discoverByTags, locate } from '../../bookshelf/adapters/consul/discovery.js';
import { lookupSrv } from '../../bookshelf/adapters/consul/dns-lookup.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { CONSUL, CONSUL_DNS_PORT, createTopic, unique } from '../support/infra.js';
import { silentLogger } from '../support/silent-logger.js';
import { startTestView } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const consul = createConsulClient({ host: CONSUL.split(':')[0]!, port: Number(CONSUL.split(':')[1]), secure: false });
const running: { stop(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const service of running.splice(0).reverse()) await service.stop();
});

async function registered(tags: string[]) {
  const topic = unique('discovery');
  const name = unique('lastread');
  await createTopic(topic, 1);
  const view = await startTestView(lastReadView, { topic, name, tags, register: true, 'check-interval': '1s' });
  running.push(view);
  return { view, name };
}

describe('discovery through Consul', () => {
  it('keeps the passing instances of a service current, through blocking queries', async () => {
    const name = unique('lastread');
    const discovery = createDiscovery({ consul, logger: silentLogger(), services: [name] });
    running.push(discovery);
    const changes: number[] = [];
    discovery.onChange(() => changes.push(discovery.passing(name).length));
    discovery.start();
    expect(discovery.passing(name)).toEqual([]);

    const topic = unique('discovery');
    await createTopic(topic, 1);
    const view = await startTestView(lastReadView, { topic, name, register: true, 'check-interval': '1s' });
    running.push(view);
    const [instance] = await waitFor(() => discovery.passing(name).length === 1 && discovery.passing(name), {
      what: 'the instance passing',
    });
    expect(instance).toMatchObject({
      id: view.id,
      service: name,
      address: '127.0.0.1',
      port: view.port,
      status: 'passing',
      meta: { role: 'view' },
    });

    await view.stop();
    await waitFor(() => discovery.all(name).length === 0, { what: 'the instance gone' });
    expect(changes.at(-1)).toBe(0);
  });

  it('finds services by tags, locates one by name, and answers SRV through Consul DNS', async () => {
    const tag = unique('tag');
    const { view, name } = await registered(['books', tag]);
    await waitFor(async () => (await locate(consul, name)) !== undefined, { what: 'a passing instance' });
    expect(await discoverByTags(consul, [tag])).toEqual([name]);
    expect(await discoverByTags(consul, [tag, 'no-such-tag'])).toEqual([]);
    expect(await locate(consul, name)).toBe(`http://127.0.0.1:${view.port}`);
    expect(await locate(consul, unique('nobody'))).toBeUndefined();
    expect(await lookupSrv(name, { port: CONSUL_DNS_PORT })).toEqual([expect.objectContaining({ port: view.port })]);
  });
});
