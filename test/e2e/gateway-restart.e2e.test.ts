/** A view killed with kill -9 and started again is served by the gateway as soon as Consul shows it passing. */
import { describe, expect, it } from 'vitest';
import { CONSUL, consulGet, createTopic, unique } from '../support/infra.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { freePort, killNow, runEntry, serviceArgs } from '../support/processes.js';
import { startTestShelf } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

type HealthEntry = { Service: { ID: string }; Checks: { ServiceID: string; Status: string }[] };
const passingIds = async (name: string): Promise<string[]> =>
  (await consulGet<HealthEntry[]>(`/v1/health/service/${name}`))
    .filter((entry) => entry.Checks.every((check) => check.Status === 'passing'))
    .map((entry) => entry.Service.ID);

describe('the gateway, when a view is killed and started again', () => {
  it.each(['at once', 'after Consul saw it fail'])(
    'serves it again within 1 s of Consul showing it passing (restarted %s)',
    async (when) => {
      const topic = unique('gw-restart');
      const name = unique('lastread');
      await createTopic(topic, 1);
      const port = await freePort();
      const start = async () => {
        const view = runEntry('last-read', serviceArgs({ topic, name, port, checkInterval: '1s' }));
        cleanup.push(() => killNow(view.child));
        const listening = await view.waitForLog('listening');
        return { view, id: listening.id as string };
      };
      const first = await start();
      cleanup.push(() => fetch(`http://${CONSUL}/v1/agent/service/deregister/${first.id}`, { method: 'PUT' }));
      const shelf = await startTestShelf({ lastread: name });
      cleanup.push(() => shelf.stop());
      const read = () => shelf.send('GET', '/bookshelf/books/last/read');
      await waitFor(async () => (await read()).headers.get('x-served-by') === first.id, { timeout: 30_000, what: 'the view served' });

      await killNow(first.view.child);
      // The next read finds the port closed: the gateway ejects the instance and has no other.
      expect(await read()).toMatchObject({ status: 503, body: { code: 'no_instance' } });
      if (when !== 'at once')
        await waitFor(async () => !(await passingIds(name)).includes(first.id), { timeout: 15_000, what: 'Consul to see the view fail' });

      const second = await start();
      expect(second.id).toBe(first.id);
      await waitFor(async () => (await passingIds(name)).includes(second.id), {
        timeout: 15_000,
        interval: 20,
        what: 'Consul to show the new process passing',
      });
      const passingAt = Date.now();
      await waitFor(async () => (await read()).status === 200, {
        timeout: 5000,
        interval: 20,
        what: 'the gateway to serve the view again',
      });
      expect(Date.now() - passingAt).toBeLessThan(1000);
    },
    90_000,
  );
});
