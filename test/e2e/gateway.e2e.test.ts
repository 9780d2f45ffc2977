import { afterEach, describe, expect, it } from 'vitest';
import { CONSUL, KAFKA, catalogService, checkStatus, createTopic, pushWithKcat, testKafka, unique } from '../support/infra.js';
import { freePort, runEntry, type RunningProcess } from '../support/processes.js';
import { startTestShelf } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const children: RunningProcess[] = [];
const services: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()));
  for (const child of children.splice(0)) child.child.kill('SIGKILL');
});

async function entry(name: string, args: string[]) {
  const port = await freePort();
  const process = runEntry(name, [...args, '--port', String(port), '--consul', CONSUL, '--broker', KAFKA, '--check-interval', '1s']);
  children.push(process);
  await process.waitForLog('listening');
  return { process, port, id: process.lines().find((line) => line.msg === 'listening')?.id as string };
}

const passing = (name: string, count: number) =>
  waitFor(async () => (await checkStatus(name)).filter((status) => status === 'passing').length === count, {
    timeout: 30_000,
    what: `${count} passing ${name}`,
  });

describe('the shelf gateway, with real processes found through Consul', () => {
  it('adds, finishes and lists the last read book, all through /bookshelf', async () => {
    const topic = unique('gw');
    const names = { books: unique('books'), booklist: unique('booklist'), lastread: unique('lastread') };
    await createTopic(topic, 3);
    await Promise.all([
      entry('books', ['--topic', topic, '--name', names.books]),
      entry('list-books', ['--topic', topic, '--name', names.booklist]),
      entry('last-read', ['--topic', topic, '--name', names.lastread]),
    ]);
    const shelf = await startTestShelf(names);
    services.push(shelf);
    await Promise.all([passing(names.books, 1), passing(names.booklist, 1), passing(names.lastread, 1)]);
    await waitFor(
      async () =>
        ((await shelf.send('GET', '/services')).body as Record<string, { instances: unknown[] }>)[names.lastread]?.instances.length === 1,
    );

    const added = await shelf.send('POST', '/bookshelf/books', {
      title: '1984',
      author: [{ name: 'George Orwell' }],
      type: 'novel',
      year: '1949',
    });
    expect(added.status).toBe(201);
    const id = added.body?.id as string;
    expect(added.headers.get('location')).toBe(`/bookshelf/books/${id}`);
    const finished = await shelf.send('POST', `/bookshelf/books/${id}/finished`);
    expect(finished.status).toBe(204);
    const position = finished.headers.get('x-bookshelf-position')!;
    expect(position).toMatch(/^\d+:\d+$/);

    const last = await shelf.send('GET', '/bookshelf/books/last/read', undefined, { 'X-Bookshelf-Position': position });
    expect(last.status).toBe(200);
    expect(last.body).toEqual([expect.objectContaining({ id, title: '1984' })]);
    expect(last.headers.get('x-bookshelf-position')).toBeTruthy();
    const book = await shelf.send('GET', `/bookshelf/books/${id}?position=${position}`);
    expect(book.body).toMatchObject({ id, status: 'read', readCount: 1 });
    expect((await shelf.send('GET', `/bookshelf/books?status=read&position=${position}`)).body).toEqual([expect.objectContaining({ id })]);
    expect(await shelf.send('PUT', `/bookshelf/books/${id}/rating`, { rating: 9 })).toMatchObject({
      status: 400,
      body: { code: 'invalid_body' },
    });
    expect((await shelf.send('PUT', `/bookshelf/books/${id}/rating`, { rating: 5 })).status).toBe(204);
    expect((await shelf.send('DELETE', `/bookshelf/books/${id}`)).status).toBe(204);
    expect(await shelf.send('POST', `/bookshelf/books/${id}/started`)).toMatchObject({ status: 409, body: { code: 'book_removed' } });

    const openapi = (await shelf.send('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    expect(
      Object.entries(openapi.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)),
    ).toEqual(
      expect.arrayContaining([
        'POST /bookshelf/books',
        'GET /bookshelf/books',
        'GET /bookshelf/books/last/read',
        'GET /bookshelf/books/{id}',
        'POST /bookshelf/books/{id}/started',
        'POST /bookshelf/books/{id}/finished',
        'PUT /bookshelf/books/{id}/rating',
        'DELETE /bookshelf/books/{id}',
      ]),
    );
    const docs = await fetch(`${shelf.url}/docs`);
    expect(docs.headers.get('content-type')).toMatch('text/html');
    expect(await docs.text()).toContain('/openapi.json');
    expect((await fetch(`${shelf.url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('survives a killed instance, answers 503 no_instance when none is left, and uses a new one once it passes', async () => {
    const topic = unique('gw-kill');
    const name = unique('lastread');
    await createTopic(topic, 1);
    const shelf = await startTestShelf({ lastread: name });
    services.push(shelf);
    expect(await shelf.send('GET', '/bookshelf/books/last/read')).toMatchObject({ status: 503, body: { code: 'no_instance' } });

    const first = await entry('last-read', ['--topic', topic, '--name', name]);
    const second = await entry('last-read', ['--topic', topic, '--name', name]);
    await passing(name, 2);
    await waitFor(
      async () =>
        ((await shelf.send('GET', '/services')).body as Record<string, { instances: { status: string }[] }>)[name]?.instances.filter(
          (i) => i.status === 'passing',
        ).length === 2,
    );
    const servedBy = new Set<string>();
    for (let i = 0; i < 4; i++) servedBy.add((await shelf.send('GET', '/bookshelf/books/last/read')).headers.get('x-served-by')!);
    expect(servedBy).toEqual(new Set([first.id, second.id]));

    first.process.child.kill('SIGKILL');
    await first.process.exited;
    for (let i = 0; i < 20; i++) {
      const answer = await shelf.send('GET', '/bookshelf/books/last/read');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-served-by')).toBe(second.id);
    }

    second.process.child.kill('SIGKILL');
    await second.process.exited;
    await waitFor(async () => (await shelf.send('GET', '/bookshelf/books/last/read')).status === 503, { what: 'no instance left' });
    expect(await shelf.send('GET', '/bookshelf/books/last/read')).toMatchObject({ status: 503, body: { code: 'no_instance' } });

    const third = await entry('last-read', ['--topic', topic, '--name', name]);
    await waitFor(async () => (await shelf.send('GET', '/bookshelf/books/last/read')).headers.get('x-served-by') === third.id, {
      timeout: 30_000,
      what: 'the new instance served',
    });
    for (const entry of await catalogService(name))
      await fetch(`http://${CONSUL}/v1/agent/service/deregister/${entry.ServiceID}`, { method: 'PUT' });
  });

  it('does not serve a view that is still catching up on the log', async () => {
    const topic = unique('gw-catch-up');
    const name = unique('lastread');
    await createTopic(topic, 2);
    const shelf = await startTestShelf({ lastread: name });
    services.push(shelf);
    const current = await entry('last-read', ['--topic', topic, '--name', name]);
    await passing(name, 1);
    await waitFor(async () => (await shelf.send('GET', '/bookshelf/books/last/read')).headers.get('x-served-by') === current.id);

    // The new view shares its consumer group with a consumer that holds one partition and reads nothing:
    // the view cannot reach the end of that partition, so it stays behind until the holder leaves.
    for (let partition = 0; partition < 2; partition++) {
      await pushWithKcat(topic, [JSON.stringify({ name: 'book-read', payload: { id: `p${partition}` } })], { partition });
    }
    const group = unique('held');
    const holder = testKafka().consumer({ groupId: group });
    await holder.connect();
    await holder.subscribe({ topic, fromBeginning: true });
    await holder.run({ eachMessage: () => Promise.resolve() });
    holder.pause([{ topic }]);
    const late = await entry('last-read', ['--topic', topic, '--name', name, '--group', group]);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${late.port}/health`)).status === 429, { what: 'the new view catching up' });
    await waitFor(async () => (await checkStatus(name)).includes('warning'), { what: 'Consul showing it as warning' });
    for (let i = 0; i < 20; i++) {
      const answer = await shelf.send('GET', '/bookshelf/books/last/read');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-served-by')).toBe(current.id);
    }

    await holder.disconnect();
    await waitFor(async () => (await fetch(`http://127.0.0.1:${late.port}/health`)).status === 200, { what: 'the new view caught up' });
    await waitFor(async () => (await shelf.send('GET', '/bookshelf/books/last/read')).headers.get('x-served-by') === late.id, {
      timeout: 30_000,
      what: 'the new view served once passing',
    });
    for (const entry of await catalogService(name))
      await fetch(`http://${CONSUL}/v1/agent/service/deregister/${entry.ServiceID}`, { method: 'PUT' });
  });
});
