/** The other passing instances of a service, from the Consul health API: where a new replica can get a snapshot. */
import type Consul from 'consul';
import { toInstance } from './discovery.js';

type HealthEntry = Parameters<typeof toInstance>[0];

export async function passingPeers(consul: Consul, { name, selfId }: { name: string; selfId: string }): Promise<string[]> {
  const entries = (await consul.health.service({ service: name, passing: true })) as HealthEntry[];
  return entries
    .map(toInstance)
    .filter((instance) => instance.id !== selfId && instance.status === 'passing')
    .map((instance) => `http://${instance.address.includes(':') ? `[${instance.address}]` : instance.address}:${instance.port}`);
}
