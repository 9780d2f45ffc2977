/**
 * The views' read routes as a client sees them: `GET /` (dispatched by path before the routers), HEAD, other methods,
 * unknown paths, `/:id` of list-books next to the routes every view has, and the route label of each in /metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { createTopic, produce, unique } from '../support/infra.js';
import { startTestView } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

const added = (id: string, title: string) => ({
  key: id,
  value: JSON.stringify({ name: 'book-added', created: '2026-12-01T10:00:00Z', payload: { id, title } }),
});
const read = (id: string) => ({
  key: id,
  value: JSON.stringify({ name: 'book-read', created: '2026-12-01T11:00:00Z', payload: { id } }),
});

async function viewOn<V>(definition: Parameters<typeof startTestView<V>>[0]) {
  const topic = unique('view-routes');
  await createTopic(topic, 1);
  const position = await produce(topic, [added('b1', 'Dune'), read('b1')]);
  const view = await startTestView(definition, { topic });
  running.push(view);
  await waitFor(async () => (await view.get('/', { 'X-Bookshelf-Position': position })).status === 200);
  return view;
}

const send = (url: string, method: string, headers: Record<string, string> = {}) => fetch(url, { method, headers });

describe('the read routes of a view', () => {
  it('answers GET and HEAD of / with the same headers, 304 for its tag, 405 and OPTIONS as a router would', async () => {
    const view = await viewOn(lastReadView);
    const get = await send(`${view.url}/`, 'GET');
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const tag = get.headers.get('etag')!;
    expect(tag).toBe('"0:1"');
    expect(get.headers.get('x-bookshelf-position')).toBe('0:1');
    expect(await get.json()).toMatchObject([{ id: 'b1', title: 'Dune' }]);

    const head = await send(`${view.url}/`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(tag);
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    expect(await head.text()).toBe('');

    expect((await send(`${view.url}/`, 'GET', { 'If-None-Match': tag })).status).toBe(304);
    expect((await send(`${view.url}/`, 'GET', { 'If-None-Match': '"0:0"' })).status).toBe(200);

    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const refused = await send(`${view.url}/`, method);
      expect(refused.status, method).toBe(405);
      expect(refused.headers.get('allow')).toBe('HEAD, GET');
      expect(refused.headers.get('content-type')).toMatch('application/problem+json');
      expect(await refused.json()).toMatchObject({ status: 405, code: 'method_not_allowed' });
    }
    const options = await send(`${view.url}/`, 'OPTIONS');
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('HEAD, GET');

    const missing = await view.get('/nope');
    expect(missing).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect((await view.get('/?wait=never')).body).toMatchObject({ status: 400, code: 'invalid_query' });

    const metrics = await (await fetch(`${view.url}/metrics`)).text();
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="GET",route="\/",status="200"\} [1-9]/);
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="GET",route="\/",status="304"\} 1\n/);
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="HEAD",route="\/",status="200"\} 1\n/);
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="POST",route="\/",status="405"\} 1\n/);
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="GET",route="unmatched",status="404"\} 1\n/);
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="GET",route="\/",status="400"\} 1\n/);
  });

  it('of list-books: / with its filter, /:id after the routes every view has, which it does not shadow', async () => {
    const view = await viewOn(listBooksView);
    expect((await view.get('/')).body).toMatchObject([{ id: 'b1', status: 'read' }]);
    expect((await view.get('/?status=read')).body).toMatchObject([{ id: 'b1' }]);
    expect((await view.get('/?status=unread')).body).toEqual([]);
    expect((await view.get('/?status=lost')).body).toMatchObject({ status: 400, code: 'invalid_query' });

    const one = await view.get('/b1');
    expect(one).toMatchObject({ status: 200, body: { id: 'b1', title: 'Dune' } });
    expect(one.headers.get('etag')).toBe('"0:1"');
    expect((await view.get('/b1', { 'If-None-Match': '"0:1"' })).status).toBe(304);
    expect((await view.get('/b2')).body).toMatchObject({ status: 404, code: 'unknown_book' });
    expect((await send(`${view.url}/b1`, 'POST')).status).toBe(405);

    expect((await view.get('/health')).body).toMatchObject({ status: 'pass' });
    const changes = await fetch(`${view.url}/changes`, { signal: AbortSignal.timeout(5000) });
    expect(changes.headers.get('content-type')).toMatch('text/event-stream');
    await changes.body?.cancel();

    const metrics = await (await fetch(`${view.url}/metrics`)).text();
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="GET",route="\/:id",status="200"\} 1\n/);
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="GET",route="\/:id",status="404"\} 1\n/);
    expect(metrics).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*method="GET",route="\/health",status="200"\} 1\n/);
  });
});
