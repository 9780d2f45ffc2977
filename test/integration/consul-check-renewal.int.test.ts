/**
 * An instance that is not passing is never taken for one while its registration is renewed with a new check. Were the
 * old check replaced in one step, Consul would list the instance for a moment with its node's check alone, which its
 * health API (`?passing` too, and its DNS) counts as passing: the renewal adds the new check before it removes the
 * old one, and our readers of Consul also want a check of the instance's own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createConsulClient } from '../../bookshelf/adapters/consul/consul-client.js';
import { createDiscovery, locate } from '../../bookshelf/adapters/consul/discovery.js';
import { passingPeers } from '../../bookshelf/adapters/consul/peer-lookup.js';
import type { CheckStatus } from '../../bookshelf/adapters/consul/registration.js';
import { CONSUL, catalogService, unique } from '../support/infra.js';
import { silentLogger } from '../support/silent-logger.js';
import { testRegistration } from '../support/test-registration.js';
import { waitFor } from '../support/wait-for.js';

const [host, port] = [CONSUL.split(':')[0]!, Number(CONSUL.split(':')[1])];
const consul = createConsulClient({ host, port, secure: false });
const running: { stop(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const part of running.splice(0).reverse()) await part.stop();
});

describe('an instance whose registration is renewed while it is not passing', () => {
  it('is never passing: not in Consul’s health API, nor to the gateway’s discovery, the look-up by name or the snapshot peers', async () => {
    const name = unique('renewed');
    const discovery = createDiscovery({ consul, logger: silentLogger(), services: [name] });
    running.push(discovery);
    discovery.start();
    // Warning and critical in turn: every look (a tenth of a second) renews the registration with a new check.
    let renewals = 0;
    const registration = testRegistration(name, { status: (): CheckStatus => (++renewals % 2 === 0 ? 'warning' : 'critical') });
    running.push(registration);
    registration.start();
    await waitFor(async () => (await catalogService(name)).length === 1, { what: 'the registration' });

    const seenPassing: string[] = [];
    const started = renewals;
    const renewing = () => renewals < started + 40;
    // Consul's own answer, at each of its changes (blocking queries), as its DNS would give it.
    const watcher = (async () => {
      for (let index = 0; renewing();) {
        const response = await fetch(`http://${CONSUL}/v1/health/service/${name}?passing&index=${index}&wait=1s`);
        index = Number(response.headers.get('x-consul-index')) || 0;
        if (((await response.json()) as unknown[]).length > 0) seenPassing.push('Consul ?passing');
      }
    })();
    while (renewing()) {
      if (discovery.passing(name).length > 0) seenPassing.push('discovery');
      if ((await locate(consul, name)) !== undefined) seenPassing.push('locate');
      if ((await passingPeers(consul, { name, selfId: 'another' })).length > 0) seenPassing.push('peers');
    }
    await watcher;
    expect(seenPassing).toEqual([]);
  });
});
