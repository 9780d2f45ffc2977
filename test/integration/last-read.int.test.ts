import { afterEach, describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { createTopic, produce, pushWithKcat, unique } from '../support/infra.js';
import { startTestView } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function lastRead(topic: string, cli: Record<string, unknown> = {}) {
  const view = await startTestView(lastReadView, { topic, ...cli });
  running.push(view);
  return view;
}

const line = (value: unknown) => JSON.stringify(value);
const ids = (body: unknown) => (body as { id: string }[]).map((entry) => entry.id);

describe('last-read against a real Kafka', () => {
  it('lists lines pushed with kcat, newest first, with titles joined from book-added', async () => {
    const topic = unique('last-read');
    await createTopic(topic, 3);
    const view = await lastRead(topic);
    await pushWithKcat(topic, [
      line({ name: 'book-added', created: '2026-11-22T10:00:00Z', payload: { id: 'b1', title: 'Dune', author: 'Frank Herbert' } }),
      line({ name: 'book-read', created: '2026-11-22T10:01:00Z', payload: { id: 'b1' } }),
      line({ name: 'book-read', created: '2026-11-22T10:02:00Z', payload: { id: 'b2', title: 'Emma' } }),
      line({ name: 'book-read', created: '2026-11-22T10:03:00Z', payload: { title: 'No id at all' } }),
    ]);
    const body = await waitFor(async () => {
      const { body } = await view.get('/');
      return (body as unknown[]).length === 3 && body;
    });
    expect(body).toEqual([
      { id: null, title: 'No id at all', readAt: '2026-11-22T10:03:00Z' },
      { id: 'b2', title: 'Emma', readAt: '2026-11-22T10:02:00Z' },
      { id: 'b1', title: 'Dune', author: [{ name: 'Frank Herbert' }], readAt: '2026-11-22T10:01:00Z' },
    ]);
  });

  it('rebuilds from the start of the log, reading every partition, and passes health once caught up', async () => {
    const topic = unique('replay');
    await createTopic(topic, 3);
    for (let partition = 0; partition < 3; partition++) {
      await pushWithKcat(
        topic,
        [line({ name: 'book-read', created: `2026-11-22T10:0${partition}:00Z`, payload: { id: `p${partition}` } })],
        { partition },
      );
    }
    await pushWithKcat(topic, [line({ name: 'book-removed', payload: { id: 'p1' } })], { partition: 2 });
    const view = await lastRead(topic);
    const health = await waitFor(async () => {
      const response = await view.get('/health');
      return response.status === 200 && response.body;
    });
    expect(health).toMatchObject({
      status: 'pass',
      caughtUp: true,
      lag: 0,
      partitions: { 0: { applied: 0, end: 1 }, 1: { applied: 0, end: 1 }, 2: { applied: 1, end: 2 } },
    });
    expect(ids((await view.get('/')).body)).toEqual(['p2', 'p0']);
  });

  it('answers a read-your-writes position once applied, and 409 position_beyond_log for one never written', async () => {
    const topic = unique('ryw');
    await createTopic(topic, 3);
    const view = await lastRead(topic);
    const position = await produce(topic, [{ key: 'b9', value: line({ name: 'book-read', payload: { id: 'b9' } }) }]);
    const fresh = await view.get(`/?position=${position}`);
    expect(fresh.status).toBe(200);
    expect(ids(fresh.body)).toEqual(['b9']);
    expect(fresh.headers.get('x-bookshelf-position')).toMatch(/\d+:\d+/);

    const header = await view.get('/', { 'X-Bookshelf-Position': position });
    expect(header.status).toBe(200);

    const never = await view.get('/?position=0:999999&wait=50');
    expect(never.status).toBe(409);
    expect(never.headers.get('content-type')).toMatch('application/problem+json');
    expect(never.body).toMatchObject({ status: 409, code: 'position_beyond_log' });

    expect((await view.get('/?position=zero')).body).toMatchObject({ status: 400, code: 'invalid_position' });
  });

  it('skips poison lines, counts and lists them, and keeps applying what follows', async () => {
    const topic = unique('poison');
    await createTopic(topic, 1);
    const view = await lastRead(topic);
    await pushWithKcat(topic, [
      'this is not json',
      '[1,2,3]',
      line({ payload: { id: 'x' } }),
      line({ name: 'book-rated', payload: { id: 'x', rating: 9 } }),
      line({ name: 'book-lent', payload: { id: 'x' } }),
      line({ name: 'book-read', created: '2026-11-22T11:00:00Z', payload: { id: 'after-poison' } }),
    ]);
    await waitFor(async () => ids((await view.get('/')).body).includes('after-poison'));
    const rejected = (await view.get('/rejected')).body as { offset: string; reason: string; partition: number }[];
    expect(rejected.map((r) => [r.offset, r.reason])).toEqual([
      ['3', 'invalid_payload'],
      ['2', 'no_name'],
      ['1', 'not_object'],
      ['0', 'not_json'],
    ]);
    const metrics = await (await fetch(`${view.url}/metrics`)).text();
    expect(metrics).toMatch(/bookshelf_events_rejected_total\{reason="not_json",service="lastreadbooks"\} 1/);
    expect(metrics).toMatch(/bookshelf_events_ignored_total\{service="lastreadbooks"\} 1/);
    expect((await view.get('/health')).body).toMatchObject({ events: { applied: 1, rejected: 4, ignored: 1 } });
  });

  it('applies an event id once, even when pushed twice by hand', async () => {
    const topic = unique('dupes');
    await createTopic(topic, 3);
    const view = await lastRead(topic);
    const event = line({ id: 'same-event', name: 'book-read', created: '2026-11-22T10:00:00Z', payload: { id: 'b1' } });
    await pushWithKcat(topic, [event], { partition: 0 });
    await pushWithKcat(topic, [event], { partition: 1 });
    await pushWithKcat(topic, [line({ name: 'book-read', created: '2026-11-22T09:00:00Z', payload: { id: 'marker' } })], { partition: 2 });
    await waitFor(
      async () => ((await view.get('/health')).body as { events: { applied: number; duplicates: number } }).events.duplicates === 1,
    );
    expect((await view.get('/health')).body).toMatchObject({ events: { applied: 2, duplicates: 1 } });
  });

  it('answers problem+json for unknown routes and methods', async () => {
    const topic = unique('routes');
    await createTopic(topic, 1);
    const view = await lastRead(topic);
    const missing = await view.get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch('application/problem+json');
    expect(missing.body).toMatchObject({ status: 404, code: 'not_found' });
    const post = await fetch(`${view.url}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toMatch('GET');
  });
});
