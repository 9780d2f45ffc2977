import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { checkStatus, createTopic, pushWithKcat, unique } from '../support/infra.js';
import { freePort, killNow, runEntry, serviceArgs, type RunningProcess } from '../support/processes.js';
import { openStream } from '../support/sse.js';
import { startTestShelf } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const topic = unique('page');
const names = { books: unique('books'), booklist: unique('booklist'), lastread: unique('lastread') };
const cleanup = cleanupAfterAll();
let shelf: Awaited<ReturnType<typeof startTestShelf>>;
let browser: Browser;
const lists: RunningProcess[] = [];

async function entry(name: string, args: string[]): Promise<RunningProcess> {
  const port = await freePort();
  const process = runEntry(name, [...args, ...serviceArgs({ topic, port, checkInterval: '1s' })]);
  cleanup.push(() => killNow(process.child));
  await process.waitForLog('listening');
  return process;
}

const passing = (name: string, count: number) =>
  waitFor(async () => (await checkStatus(name)).filter((status) => status === 'passing').length === count, {
    timeout: 30_000,
    what: `${count} passing ${name}`,
  });
const gatewaySees = (name: string, count: number) =>
  waitFor(
    async () =>
      ((await shelf.send('GET', '/services')).body as Record<string, { instances: { status: string }[] }>)[name]?.instances.filter(
        (i) => i.status === 'passing',
      ).length === count,
    {
      timeout: 30_000,
      what: `the gateway sees ${count} ${name}`,
    },
  );

/** Freezes a process (SIGSTOP), lets `meanwhile` run, then kills it (SIGKILL). */
async function stopThenKill(process: RunningProcess, meanwhile: () => Promise<unknown>) {
  process.child.kill('SIGSTOP');
  await meanwhile();
  await meanwhile();
  await killNow(process.child);
}

/** A book's row on the page, found by its title. */
const row = (page: Page, title: string) => page.locator('li.book').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

async function addOverHttp(title: string) {
  const added = await shelf.send('POST', '/bookshelf/books', { title, author: [{ name: 'Someone Else' }] });
  expect(added.status).toBe(201);
  return { id: added.body!.id as string, position: added.headers.get('x-bookshelf-position')! };
}

beforeAll(async () => {
  await createTopic(topic, 3);
  await Promise.all([
    entry('books', ['--name', names.books]),
    entry('list-books', ['--name', names.booklist]).then((p) => lists.push(p)),
    entry('list-books', ['--name', names.booklist]).then((p) => lists.push(p)),
    entry('last-read', ['--name', names.lastread]),
  ]);
  shelf = await startTestShelf(names);
  cleanup.push(() => shelf.stop());
  await Promise.all([passing(names.books, 1), passing(names.booklist, 2), passing(names.lastread, 1)]);
  await Promise.all([gatewaySees(names.books, 1), gatewaySees(names.booklist, 2), gatewaySees(names.lastread, 1)]);
  browser = await launchBrowser();
  cleanup.push(() => browser.close());
  mkdirSync('test-results', { recursive: true });
}, 120_000);

describe('the shelf page, in a real browser', () => {
  it('loads with no console error and lists the books already on the shelf, on a desktop and a phone', async () => {
    const { position } = await addOverHttp('Already There');
    expect((await shelf.send('GET', `/bookshelf/books?position=${position}`)).status).toBe(200);
    const index = await fetch(`${shelf.url}/`);
    expect(index.headers.get('content-type')).toMatch('text/html');

    const { page, errors } = await openPage(browser, shelf.url);
    await row(page, 'Already There').waitFor();
    await expect(row(page, 'Already There').textContent()).resolves.toContain('unread');
    expect(await page.getByRole('status').textContent()).toMatch(/live/);
    for (const label of ['Title', 'Author', 'Type', 'Year'])
      expect(await page.getByRole('textbox', { name: label, exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Add book', exact: true }).count()).toBe(1);
    for (const name of ['Start', 'Finish', 'Remove'])
      expect(await row(page, 'Already There').getByRole('button', { name, exact: true }).count()).toBe(1);
    expect(await row(page, 'Already There').getByRole('combobox', { name: 'Rating', exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);

    const phone = await openPage(browser, shelf.url, { width: 390, height: 844 });
    await row(phone.page, 'Already There').waitFor();
    expect(await phone.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.page.screenshot({ path: 'test-results/shelf-phone.png', fullPage: true });
    expect(phone.errors).toEqual([]);
    await Promise.all([page.close(), phone.page.close()]);
  });

  it('adds a book through the form, and shows finishing and rating it in its row and in the last-read panel', async () => {
    const { page, errors } = await openPage(browser, shelf.url);
    const title = 'Dune';
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('Author', { exact: true }).fill('Frank Herbert');
    await page.getByLabel('Type', { exact: true }).fill('novel');
    await page.getByLabel('Year', { exact: true }).fill('1965');
    await page.keyboard.press('Enter');
    const book = row(page, title);
    await book.waitFor({ timeout: 5000 });
    expect(await book.textContent()).toContain('by Frank Herbert · novel · 1965');
    // Cleared once the add was answered (its change may show on the stream even before).
    await waitFor(async () => (await page.getByLabel('Title', { exact: true }).inputValue()) === '', { what: 'the form cleared' });

    // Every status the row shows from here on, to see that it never falls back once it said read.
    await book.locator('.status').evaluate((node: { textContent: string | null }) => {
      const seen: (string | null)[] = [];
      (globalThis as unknown as { statuses: (string | null)[] }).statuses = seen;
      new (globalThis as unknown as { MutationObserver: new (f: () => void) => { observe(n: unknown, o: object): void } }).MutationObserver(
        () => seen.push(node.textContent),
      ).observe(node, { childList: true, characterData: true, subtree: true });
    });
    await book.getByRole('button', { name: 'Finish', exact: true }).click();
    await waitFor(async () => (await book.locator('.status').textContent()) === 'read', { what: 'the row says read' });
    expect(await book.textContent()).toContain('read once');
    await page.locator('#last-read li', { hasText: title }).waitFor({ timeout: 5000 });

    await book.getByRole('combobox', { name: 'Rating', exact: true }).selectOption('5');
    const id = await book.getAttribute('data-id');
    await waitFor(async () => ((await shelf.send('GET', `/bookshelf/books/${id}`)).body as { rating: number }).rating === 5, {
      what: 'rating 5 recorded',
    });
    expect(await book.getByRole('combobox', { name: 'Rating', exact: true }).inputValue()).toBe('5');
    const statuses = await page.evaluate<string[]>('window.statuses');
    expect(statuses).toContain('read');
    expect(statuses.slice(statuses.indexOf('read'))).toEqual(statuses.slice(statuses.indexOf('read')).map(() => 'read'));
    expect(await book.locator('p.error').textContent()).toBe('');
    expect(errors).toEqual([]);
    await page.screenshot({ path: 'test-results/shelf.png', fullPage: true });
    await page.close();
  });

  it('shows within a second, without a reload, a book another client added over HTTP and one pushed to Kafka with kcat', async () => {
    const { page } = await openPage(browser, shelf.url);
    await page.evaluate('window.loadedOnce = true');
    const overHttp = `From curl ${unique('')}`;
    await addOverHttp(overHttp);
    await row(page, overHttp).waitFor({ timeout: 1000 });

    const overKafka = `From kcat ${unique('')}`;
    await pushWithKcat(topic, [
      JSON.stringify({ name: 'book-added', payload: { id: unique('kcat'), title: overKafka, author: 'Someone Else' } }),
    ]);
    await row(page, overKafka).waitFor({ timeout: 1000 });
    expect(await page.evaluate<boolean>('window.loadedOnce')).toBe(true);
    await page.close();
  });

  it('shows the 409’s text next to the rating of an unread book, and keeps the form when an add is refused', async () => {
    const title = `Not Yet ${unique('')}`;
    const { id } = await addOverHttp(title);
    const refused = await shelf.send('PUT', `/bookshelf/books/${id}/rating`, { rating: 3 });
    expect(refused).toMatchObject({ status: 409, body: { code: 'not_read_yet' } });

    const { page } = await openPage(browser, shelf.url);
    const book = row(page, title);
    await book.getByRole('combobox', { name: 'Rating', exact: true }).selectOption('3');
    await waitFor(async () => (await book.getByRole('alert').textContent()) === (refused.body!.detail as string), {
      what: 'the 409 detail in the row',
    });
    expect(await book.getByRole('combobox', { name: 'Rating', exact: true }).inputValue()).toBe('');

    await page.getByLabel('Title', { exact: true }).fill('Too Long A Type');
    await page.getByLabel('Type', { exact: true }).fill('x'.repeat(1001));
    await page.getByRole('button', { name: 'Add book', exact: true }).click();
    await waitFor(async () => /type must be at most 1000 characters/.test((await page.locator('#add-error').textContent()) ?? ''), {
      what: 'the 400 detail by the form',
    });
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Too Long A Type');
    await page.close();
  });

  it('keeps streaming, with no change lost or doubled, when the view instance serving the stream is killed and another serves', async () => {
    const { page } = await openPage(browser, shelf.url);
    await page.evaluate('window.loadedOnce = true');
    const stream = await openStream(`${shelf.url}/bookshelf/changes`);
    cleanup.push(() => stream.close());
    const added: string[] = [];
    const add = async (label: string) => added.push((await addOverHttp(`${label} ${unique('')}`)).id);

    await add('Before the first kill');
    // Each instance in turn stops answering while books are added, then is killed: whichever served a stream
    // had not sent those changes, and the next instance has to send them from the last id the gateway got.
    await stopThenKill(lists[0]!, () => add('While the first was frozen'));
    // Replaying the log rather than seeded from a peer's snapshot: a seeded view keeps only the changes since its
    // snapshot, and a client from before that is told to reload (tested in changes.int.test.ts).
    lists.push(await entry('list-books', ['--name', names.booklist, '--no-snapshots']));
    await passing(names.booklist, 2);
    await gatewaySees(names.booklist, 2);
    await add('Before the second kill');
    await stopThenKill(lists[1]!, () => add('While the second was frozen'));
    await add('After the second kill');

    const ids = await waitFor(
      async () => {
        const shown = await page
          .locator('li.book')
          .evaluateAll((items: { getAttribute(name: string): string | null }[]) => items.map((item) => item.getAttribute('data-id')));
        return added.every((id) => shown.includes(id)) && shown;
      },
      { timeout: 20_000, what: 'every book added on the page' },
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(await page.evaluate<boolean>('window.loadedOnce')).toBe(true);

    const missing = () => added.filter((id) => !stream.changes().some((event) => event.json.view === 'booklist' && event.json.book === id));
    await waitFor(() => missing().length === 0, {
      timeout: 20_000,
      what: `every change on the stream (missing ${JSON.stringify(missing())} of ${JSON.stringify(added)}; got ${JSON.stringify(stream.events.map((e) => [e.event, e.id, e.json.book ?? e.json.connected]))})`,
    });
    const addedEvents = stream
      .changes()
      .filter((event) => event.json.view === 'booklist' && event.json.event === 'book-added' && added.includes(event.json.book as string));
    // Each once; in log order within a partition (the order across partitions is the log's own: none).
    expect(addedEvents.map((event) => event.json.book).sort()).toEqual([...added].sort());
    const offsets = new Map<string, number[]>();
    for (const event of stream.changes().filter((change) => change.json.view === 'booklist')) {
      const [partition, offset] = String(event.json.at).split(':');
      offsets.set(partition!, [...(offsets.get(partition!) ?? []), Number(offset)]);
    }
    for (const list of offsets.values()) expect(list).toEqual([...new Set(list)].sort((a, b) => a - b));
    await page.close();
  });
});
