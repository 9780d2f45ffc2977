/**
 * 10,000 generated requests against `books` and the `shelf` gateway (which finds books, list-books and last-read
 * through Consul): bad JSON, wrong types, huge and deeply nested bodies, odd headers and methods, path tricks,
 * malformed HTTP, good commands in between. No answer may be a 5xx, every refusal is problem+json, and at the
 * end every service is healthy and list-books shows exactly the books the answers said were added and not
 * removed. FUZZ_SEED=<seed> replays the same requests.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { booksDefaults, startBooks } from '../../bookshelf/services/books.service.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { shelfDefaults, startShelf } from '../../bookshelf/services/shelf.service.js';
import { startView } from '../../bookshelf/services/view-service.js';
import { describeRequest, fuzzClient, httpFuzz, type FuzzAnswer, type FuzzRequest } from '../support/fuzz-http.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { CONSUL, KAFKA, createTopic, unique } from '../support/infra.js';
import { silentLogger } from '../support/silent-logger.js';
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
  const shared = { port: '0', broker: [KAFKA], consul: CONSUL, topic, 'check-interval': '1s' };
  const logger = silentLogger();
  const books = await startBooks(resolveConfig(booksDefaults, { cli: { ...shared, name: names.books, 'auth-token': TOKEN }, env: {} }), {
    logger,
  });
  const list = await startView(
    listBooksView,
    resolveConfig(listBooksView.defaults, { cli: { ...shared, name: names.booklist }, env: {} }),
    { logger },
  );
  const last = await startView(lastReadView, resolveConfig(lastReadView.defaults, { cli: { ...shared, name: names.lastread }, env: {} }), {
    logger,
  });
  const shelf = await startShelf(
    resolveConfig(shelfDefaults, {
      cli: {
        ...shared,
        register: false,
        'auth-token': TOKEN,
        'books-service': names.books,
        'booklist-service': names.booklist,
        'lastread-service': names.lastread,
      },
      env: {},
    }),
    { logger },
  );
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

/** What is wrong with an answer, if anything. */
function verdict(req: FuzzRequest, answer: FuzzAnswer): string | undefined {
  if (answer.status === 0) return `no answer (${answer.body.slice(0, 200)})`;
  const contentType = String(answer.headers['content-type'] ?? '');
  if (answer.status >= 500) {
    // A HEAD answer has no body to name the code: its headers must say the same.
    const named =
      req.method === 'HEAD'
        ? String(answer.headers['content-type'] ?? '').startsWith('application/problem+json')
        : answer.body.includes('"code":"not_caught_up"');
    const waited = req.mayWait === true && answer.status === 503 && named && answer.headers['retry-after'] === '1';
    if (!waited) return `${answer.status} ${answer.body.slice(0, 300)}`;
  }
  if (answer.status < 400) return undefined;
  if (!contentType.startsWith('application/problem+json'))
    return `${answer.status} with content-type "${contentType}" ${answer.body.slice(0, 200)}`;
  if (req.method === 'HEAD') return undefined;
  let problem: { status?: unknown; code?: unknown; type?: unknown; title?: unknown };
  try {
    problem = JSON.parse(answer.body) as typeof problem;
  } catch {
    return `${answer.status} body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (
    problem.status !== answer.status ||
    typeof problem.code !== 'string' ||
    typeof problem.type !== 'string' ||
    typeof problem.title !== 'string'
  ) {
    return `${answer.status} problem does not match: ${answer.body.slice(0, 300)}`;
  }
  return undefined;
}

/** The book a successful command added or removed, as the answer tells it. */
function effect(req: FuzzRequest, answer: FuzzAnswer): { added?: string; removed?: string } {
  const path = req.path.split('?')[0]!;
  // Only adding a book answers 201, whatever spelling of its path the router took.
  if (answer.status === 201) return { added: (JSON.parse(answer.body) as { id: string }).id };
  const removed = /^\/(?:bookshelf\/)?books\/([^/]+)\/?$/i.exec(path);
  if (req.method === 'DELETE' && answer.status === 204 && removed) return { removed: decodeURIComponent(removed[1]!) };
  return {};
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
      `http fuzz: ${REQUESTS} requests in ${took} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ${added.size} books added, ${removed.size} removed`,
    );
    if (failures.length > 0) console.log(`http fuzz: ${failures.length} bad answers, the first 200:\n${failures.slice(0, 200).join('\n')}`);
    expect(failures.slice(0, 15), `seed ${seed}: ${failures.length} bad answers`).toEqual([]);

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
