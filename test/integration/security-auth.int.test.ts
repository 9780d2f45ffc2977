import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { startBooks, booksDefaults } from '../../bookshelf/services/books.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { shelfDefaults, startShelf } from '../../bookshelf/services/shelf.service.js';
import { startView } from '../../bookshelf/services/view-service.js';
import { type Answer, send } from '../support/in-process.js';
import { capturedLogger } from '../support/captured-logger.js';
import { CONSUL, KAFKA, createTopic, portAnswers, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = `tok-${unique('s3cret')}`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

const base = (cli: Record<string, unknown>) => ({ port: '0', broker: [KAFKA], consul: CONSUL, register: false, ...cli });

async function books(cli: Record<string, unknown>) {
  const log = capturedLogger('books');
  const service = await startBooks(resolveConfig(booksDefaults, { cli: base(cli), env: {} }), { logger: log.logger });
  running.push(service);
  await waitFor(async () => (await send(service.url, 'GET', '/health')).status === 200, { what: 'books caught up' });
  return {
    ...service,
    log,
    send: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      send(service.url, method, path, body, headers),
  };
}

async function shelf(cli: Record<string, unknown>) {
  const log = capturedLogger('shelf');
  const service = await startShelf(resolveConfig(shelfDefaults, { cli: base(cli), env: {} }), { logger: log.logger });
  running.push(service);
  return {
    ...service,
    log,
    send: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      send(service.url, method, path, body, headers),
  };
}

function expectUnauthorized(answer: Answer, error?: string) {
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ status: 401, code: 'unauthorized', type: '/problems/unauthorized' });
  expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="bookshelf"/);
  if (error) expect(answer.headers.get('www-authenticate')).toContain(`error="${error}"`);
}

describe('the bearer token (--auth-token)', () => {
  it('guards the commands of books: 401 problem+json without it or with a wrong one, the command runs with it', async () => {
    const topic = unique('auth');
    await createTopic(topic, 1);
    const service = await books({ topic, 'auth-token': TOKEN });

    expectUnauthorized(await service.send('POST', '/books', { id: 'b1', title: 'Emma' }));
    expectUnauthorized(await service.send('POST', '/books', { id: 'b1', title: 'Emma' }, bearer('not-the-token')), 'invalid_token');
    expectUnauthorized(
      await service.send(
        'POST',
        '/books',
        { id: 'b1', title: 'Emma' },
        { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      ),
    );
    expectUnauthorized(await service.send('DELETE', '/books/b1'));
    expectUnauthorized(await service.send('PUT', '/books/b1/rating', { rating: 5 }));
    expectUnauthorized(await service.send('PATCH', '/books/b1'));
    // Refused before its body is read: a body too large is still a 401.
    expectUnauthorized(await service.send('POST', '/books', 'x'.repeat(100_000)));

    expect(await service.send('POST', '/books', { id: 'b1', title: 'Emma' }, bearer(TOKEN))).toMatchObject({
      status: 201,
      body: { id: 'b1' },
    });
    expect((await service.send('POST', '/books/b1/finished', undefined, { authorization: `bearer ${TOKEN}` })).status).toBe(204);
    // Nothing was written by the refused commands: b1 was added once, by the authorised one.
    expect((await service.send('POST', '/books', { id: 'b1', title: 'Emma' }, bearer(TOKEN))).body).toMatchObject({ code: 'book_exists' });

    expect((await service.send('GET', '/health')).status).toBe(200);
    expect((await fetch(`${service.url}/metrics`)).status).toBe(200);
    expect((await service.send('GET', '/rejected')).status).toBe(200);
    expect(service.log.text()).not.toContain(TOKEN);
  });

  it('guards reads too with --auth-reads, except /health and /metrics', async () => {
    const topic = unique('auth-reads');
    await createTopic(topic, 1);
    const log = capturedLogger('list');
    const view = await startView(
      listBooksView,
      resolveConfig(listBooksView.defaults, { cli: base({ topic, 'auth-reads': true }), env: { BOOKSHELF_AUTH_TOKEN: TOKEN } }),
      { logger: log.logger },
    );
    running.push(view);

    expectUnauthorized(await send(view.url, 'GET', '/'));
    expectUnauthorized(await send(view.url, 'GET', '/b1', undefined, bearer('wrong')), 'invalid_token');
    expectUnauthorized(await send(view.url, 'GET', '/rejected'));
    expect(await send(view.url, 'GET', '/', undefined, bearer(TOKEN))).toMatchObject({ status: 200, body: [] });
    await waitFor(async () => (await send(view.url, 'GET', '/health')).status === 200, { what: 'health, open' });
    expect((await fetch(`${view.url}/metrics`)).status).toBe(200);
    expect(log.text()).not.toContain(TOKEN);
  });

  it('is passed on by the gateway, so shelf and books can share one; reads through shelf stay open', async () => {
    const topic = unique('auth-gw');
    const booksName = unique('books');
    const listName = unique('booklist');
    await createTopic(topic, 1);
    const aggregate = await books({ topic, name: booksName, register: true, 'check-interval': '1s', 'auth-token': TOKEN });
    const list = await startView(
      listBooksView,
      resolveConfig(listBooksView.defaults, { cli: base({ topic, name: listName, register: true, 'check-interval': '1s' }), env: {} }),
      { logger: capturedLogger().logger },
    );
    running.push(list);
    const gateway = await shelf({
      'books-service': booksName,
      'booklist-service': listName,
      'lastread-service': unique('lastread'),
      'auth-token': TOKEN,
    });
    await waitFor(
      async () => {
        const known = (await gateway.send('GET', '/services')).body as Record<string, { instances: { status: string }[] }>;
        return known[booksName]?.instances[0]?.status === 'passing' && known[listName]?.instances[0]?.status === 'passing';
      },
      { what: 'shelf sees books and booklist passing' },
    );

    expectUnauthorized(await gateway.send('POST', '/bookshelf/books', { id: 'g1', title: 'Dune' }));
    expectUnauthorized(await gateway.send('DELETE', '/bookshelf/books/g1', undefined, bearer('wrong')), 'invalid_token');
    const added = await gateway.send('POST', '/bookshelf/books', { id: 'g1', title: 'Dune' }, bearer(TOKEN));
    expect(added).toMatchObject({ status: 201, body: { id: 'g1', title: 'Dune' } });
    const read = await gateway.send('GET', `/bookshelf/books/g1?position=${added.body?.position as string}`);
    expect(read).toMatchObject({ status: 200, body: { id: 'g1', title: 'Dune', status: 'unread' } });
    expect(aggregate.log.text() + gateway.log.text()).not.toContain(TOKEN);
  });

  it('of books is asked for through a gateway that has none, with the challenge passed back', async () => {
    const topic = unique('auth-gw2');
    const booksName = unique('books');
    await createTopic(topic, 1);
    await books({ topic, name: booksName, register: true, 'check-interval': '1s', 'auth-token': TOKEN });
    const gateway = await shelf({
      'books-service': booksName,
      'booklist-service': unique('booklist'),
      'lastread-service': unique('lastread'),
    });
    await waitFor(
      async () =>
        ((await gateway.send('GET', '/services')).body as Record<string, { instances: { status: string }[] }>)[booksName]?.instances[0]
          ?.status === 'passing',
      {
        what: 'shelf sees books passing',
      },
    );

    expectUnauthorized(await gateway.send('POST', '/bookshelf/books', { id: 'g2', title: 'Emma' }));
    expect(await gateway.send('POST', '/bookshelf/books', { id: 'g2', title: 'Emma' }, bearer(TOKEN))).toMatchObject({
      status: 201,
      body: { id: 'g2' },
    });
  });
});

describe('the bind address', () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

  it('is 127.0.0.1 unless --addr says otherwise', async () => {
    const topic = unique('bind');
    await createTopic(topic, 1);
    const log = capturedLogger();
    const view = await startView(
      listBooksView,
      resolveConfig(listBooksView.defaults, { cli: { port: '0', broker: [KAFKA], topic, register: false }, env: {} }),
      { logger: log.logger },
    );
    running.push(view);
    expect(view.url).toBe(`http://127.0.0.1:${view.port}`);
    expect(await portAnswers(view.port, '127.0.0.1')).toBe(true);
    if (external !== undefined) expect(await portAnswers(view.port, external)).toBe(false);
  });
});
