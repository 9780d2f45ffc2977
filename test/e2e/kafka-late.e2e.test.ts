import { describe, expect, it } from 'vitest';
import { catalogService, checkStatus, createTopic, pushWithKcat, unique } from '../support/infra.js';
import { extraBroker } from '../support/kafka-brokers.js';
import { freePort, runEntry, serviceArgs } from '../support/processes.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

describe('last-read when Kafka is not there yet', () => {
  const cleanup = cleanupAfterAll();

  it('starts, registers and answers 503, then turns healthy when Kafka comes', async () => {
    const broker = await extraBroker();
    cleanup.push(() => broker.remove());
    const topic = unique('late');
    const name = unique('lastreadbooks');
    const port = await freePort();
    const view = runEntry('last-read', serviceArgs({ topic, broker: broker.address, port, name, checkInterval: '1s' }));
    cleanup.push(() => void view.child.kill('SIGKILL'));
    await view.waitForLog('listening');

    const down = await fetch(`http://127.0.0.1:${port}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'fail', kafka: expect.stringMatching(/connecting|down/) });
    await waitFor(async () => (await catalogService(name)).length === 1, { what: 'registered while Kafka is down' });
    await waitFor(async () => (await checkStatus(name)).includes('critical'), { what: 'critical check while Kafka is down' });

    await broker.start();
    await createTopic(topic, 3, broker.address);
    await pushWithKcat(topic, [JSON.stringify({ name: 'book-read', payload: { id: 'late-book' } })], { broker: broker.address });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, {
      timeout: 60_000,
      what: 'healthy after Kafka came',
    });
    // Healthy can come before the pushed line is read: the view may have caught up with the empty topic first.
    const readIds = async () => ((await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { id: string }[]).map((book) => book.id);
    await waitFor(async () => (await readIds()).length > 0, { what: 'the pushed book read' });
    expect(await readIds()).toEqual(['late-book']);
    await waitFor(async () => (await checkStatus(name)).includes('passing'), { what: 'passing check' });

    view.child.kill('SIGTERM');
    expect((await view.exited).code).toBe(0);
  });
});
