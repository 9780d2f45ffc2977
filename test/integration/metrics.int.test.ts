/**
 * /metrics of each of the four services: what an operator looks at first is there, and Prometheus's own linter
 * (`promtool check metrics`) finds nothing to say about the bookshelf_ metrics.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { booksDefaults, startBooks } from '../../bookshelf/services/books.service.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startView } from '../../bookshelf/services/view-service.js';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { CONSUL, KAFKA, createTopic, unique } from '../support/infra.js';
import { freePort } from '../support/processes.js';
import { startTestShelf } from '../support/in-process.js';
import { silentLogger } from '../support/silent-logger.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

/** What promtool says about the text, line by line. */
function promtool(text: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(output.split('\n').filter(Boolean)));
    child.stdin.end(text);
  });
}

const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();

describe('/metrics of every service', () => {
  it('has lag, commands, upstreams, ejections and discovery, labels 404 by a fixed route, and passes promtool', async () => {
    const topic = unique('metrics');
    const names = { books: unique('books'), booklist: unique('booklist'), lastread: unique('lastread') };
    await createTopic(topic, 3);
    const cli = (name: string) => ({ cli: { port: '0', broker: [KAFKA], consul: CONSUL, topic, name, 'check-interval': '1s' }, env: {} });
    const deps = { logger: silentLogger() };
    const books = await startBooks(resolveConfig(booksDefaults, cli(names.books)), deps);
    cleanup.push(() => books.stop());
    const list = await startView(listBooksView, resolveConfig(listBooksView.defaults, cli(names.booklist)), deps);
    cleanup.push(() => list.stop());
    const last = await startView(lastReadView, resolveConfig(lastReadView.defaults, cli(names.lastread)), deps);
    cleanup.push(() => last.stop());
    // An instance that Consul calls passing but whose port is closed: the gateway ejects it on first use.
    const ghost = unique('ghost');
    await fetch(`http://${CONSUL}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({
        ID: ghost,
        Name: names.booklist,
        Address: '127.0.0.1',
        Port: await freePort(),
        Check: { TTL: '60s', Status: 'passing' },
      }),
    });
    cleanup.push(() => fetch(`http://${CONSUL}/v1/agent/service/deregister/${ghost}`, { method: 'PUT' }));
    const shelf = await startTestShelf(names);
    cleanup.push(() => shelf.stop());
    await waitFor(async () => (await shelf.send('GET', '/health')).status === 200, {
      timeout: 30_000,
      what: 'the gateway to see every service passing',
    });
    await waitFor(
      async () =>
        ((await shelf.send('GET', '/services')).body as Record<string, { instances: unknown[] }>)[names.booklist]?.instances.length === 2,
      { what: 'both booklist instances known' },
    );

    expect((await shelf.send('POST', '/bookshelf/books', { id: 'm1', title: 'Dune' })).status).toBe(201);
    expect((await shelf.send('POST', '/bookshelf/books/unknown/started')).status).toBe(404);
    for (let i = 0; i < 3; i++) expect((await shelf.send('GET', '/bookshelf/books')).status).toBe(200);
    expect((await shelf.send('GET', '/bookshelf/books/last/read')).status).toBe(200);
    for (const url of [books.url, list.url, last.url, shelf.url]) expect((await fetch(`${url}/no/such/route`)).status).toBe(404);

    const texts = {
      books: await scrape(books.url),
      list: await scrape(list.url),
      last: await scrape(last.url),
      shelf: await scrape(shelf.url),
    };
    for (const [service, text] of Object.entries(texts)) {
      const said = (await promtool(text)).filter((line) => line.includes('bookshelf_'));
      expect(said, `promtool on ${service}`).toEqual([]);
      expect(text, service).toMatch(/bookshelf_http_request_duration_seconds_count\{[^}]*route="unmatched",status="404"/);
      expect(text, service).not.toMatch(/route="[^"]*[()*|\\]/);
    }
    for (const text of [texts.books, texts.list, texts.last]) {
      for (const partition of [0, 1, 2]) expect(text).toMatch(new RegExp(`bookshelf_consumer_lag\\{partition="${partition}"[^}]*\\} 0`));
      expect(text).toMatch(/bookshelf_events_applied_total/);
    }
    expect(texts.books).toMatch(/bookshelf_commands_total\{command="add-book",outcome="ok"[^}]*\} 1/);
    expect(texts.books).toMatch(/bookshelf_commands_total\{command="start-book",outcome="unknown_book"[^}]*\} 1/);
    expect(texts.books).toMatch(/bookshelf_produce_duration_seconds_count\{[^}]*\} 1/);
    expect(texts.shelf).toMatch(
      new RegExp(`bookshelf_upstream_requests_total\\{service="${names.books}",instance="${books.id}",outcome="2xx"`),
    );
    expect(texts.shelf).toMatch(
      new RegExp(`bookshelf_upstream_requests_total\\{service="${names.booklist}",instance="${ghost}",outcome="connect_failed"`),
    );
    expect(texts.shelf).toMatch(
      new RegExp(`bookshelf_upstream_ejections_total\\{service="${names.booklist}",instance="${ghost}"[^}]*\\} 1`),
    );
    expect(texts.shelf).toMatch(new RegExp(`bookshelf_discovery_updates_total\\{service="${names.lastread}"`));
    expect(texts.shelf).not.toMatch(/bookshelf_events_/);
  });
});
