/**
 * 10,000 generated requests against `books` and the `shelf` gateway (which finds books, list-books and last-read
 * through Consul): bad JSON, wrong types, huge and deeply nested bodies, odd headers and methods, path tricks,
 * malformed HTTP, change streams asked for from odd positions and dropped at once, good commands in between. No
 * answer may be a 5xx, every refusal is problem+json, and at the end every service is healthy and list-books shows
 * exactly the books the answers said were added and not removed. FUZZ_SEED=<seed> replays the same requests.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { describeRequest, fuzzClient, type FuzzAnswer } from '../support/fuzz/http-client.js';
import { httpFuzz } from '../support/fuzz/http-generators.js';
import { effect, verdict } from '../support/fuzz/http-oracle.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { createTopic, unique } from '../support/infra.js';
import { startTestBooks, startTestShelf, startTestView } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

const REQUESTS = 10_000;
const CONCURRENCY = 16;
const TOKEN = `fuzz-${unique('token')}`;

const running: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function startAll() {
  const topic = unique('fuzz-http');
  const names = { books: unique('books'), booklist: unique('booklist'), lastread: unique('lastread') };
  await createTopic(topic, 3);
  const shared = { topic, register: true, 'check-interval': '1s' };
  const books = await startTestBooks({ ...shared, name: names.books, 'auth-token': TOKEN });
  const list = await startTestView(listBooksView, { ...shared, name: names.booklist });
  const last = await startTestView(lastReadView, { ...shared, name: names.lastread });
  const shelf = await startTestShelf(names, { topic, 'check-interval': '1s', 'auth-token': TOKEN });
  running.push(shelf, books, list, last);
  await waitFor(
    async () => {
      const services = (await (await fetch(`${shelf.url}/services`)).json()) as Record<string, { instances: { status: string }[] }>;
      return Object.values(names).every(
        (name) => services[name]?.instances.length === 1 && services[name].instances[0]!.status === 'passing',
      );
    },
    { timeout: 30_000, what: 'the gateway sees books, list-books and last-read passing' },
  );
  return { books, list, last, shelf, names };
}

describe('the HTTP API, fuzzed', () => {
  it(`answers ${REQUESTS.toLocaleString('en')} generated requests without a 5xx, every refusal as problem+json, and stays healthy`, async () => {
    const seed = fuzzSeed();
    console.log(`http fuzz: seed ${seed} (FUZZ_SEED=${seed} replays the same requests)`);
    const ids = Array.from({ length: 60 }, (_, i) => `fz-${i}`);
    const requests = httpFuzz(seededRandom(seed), REQUESTS, { ids, token: TOKEN });
    const { books, list, last, shelf } = await startAll();
    const bases = { books: { host: '127.0.0.1', port: books.port }, shelf: { host: '127.0.0.1', port: shelf.port } };

    const client = fuzzClient(CONCURRENCY);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const added = new Set<string>();
    const removed = new Set<string>();
    /** Change streams opened, and refused for their position: the fuzz must reach both. */
    const streams = { opened: 0, refused: 0 };
    let nextIndex = 0;
    const started = Date.now();
    const worker = async () => {
      for (let i = nextIndex++; i < requests.length; i = nextIndex++) {
        const req = requests[i]!;
        let answer: FuzzAnswer;
        try {
          answer = await client.send(bases[req.target], req, 30_000);
        } catch (error) {
          failures.push(`#${i} ${describeRequest(req)}: ${(error as Error).message}`);
          continue;
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (String(answer.headers['content-type']).startsWith('text/event-stream')) streams.opened++;
        if (answer.body.includes('"code":"invalid_position"') && req.path.startsWith('/bookshelf/changes')) streams.refused++;
        const wrong = verdict(req, answer);
        if (wrong !== undefined) failures.push(`#${i} ${describeRequest(req)}: ${wrong}`);
        const { added: a, removed: r } = effect(req, answer);
        if (a !== undefined) added.add(a);
        if (r !== undefined) removed.add(r);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    client.close();
    const took = Date.now() - started;
    console.log(
      `http fuzz: ${REQUESTS} requests in ${took} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ${added.size} books added, ${removed.size} removed; change streams ${streams.opened} opened, ${streams.refused} refused for their position`,
    );
    if (failures.length > 0) console.log(`http fuzz: ${failures.length} bad answers, the first 200:\n${failures.slice(0, 200).join('\n')}`);
    expect(failures.slice(0, 15), `seed ${seed}: ${failures.length} bad answers`).toEqual([]);
    expect(streams.opened, 'change streams opened').toBeGreaterThan(0);
    expect(streams.refused, 'change streams refused for their position').toBeGreaterThan(0);

    for (const service of [books, list, last, shelf])
      expect((await fetch(`${service.url}/health`)).status, `${service.id} healthy`).toBe(200);
    const services = (await (await fetch(`${shelf.url}/services`)).json()) as Record<
      string,
      { instances: { status: string; ejected: boolean }[] }
    >;
    for (const entry of Object.values(services))
      expect(entry.instances).toEqual([expect.objectContaining({ status: 'passing', ejected: false })]);

    // What the answers said happened is what the view shows.
    const expected = [...added].filter((id) => !removed.has(id)).sort();
    let shown: string[] = [];
    await waitFor(
      async () => {
        shown = ((await (await fetch(`${list.url}/`)).json()) as { id: string }[]).map((row) => row.id).sort();
        return JSON.stringify(shown) === JSON.stringify(expected);
      },
      { timeout: 30_000, what: `list-books to show the ${expected.length} books added and not removed (seed ${seed})` },
    ).catch((error: Error) => {
      const missing = expected.filter((id) => !shown.includes(id));
      const extra = shown.filter((id) => !expected.includes(id));
      throw new Error(`${error.message}; missing ${JSON.stringify(missing)}, not expected ${JSON.stringify(extra)}`);
    });
  });
});
