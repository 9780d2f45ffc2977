/**
 * SIGTERM under load: a view process gets SIGTERM while requests wait in it (read-your-writes
 * waits). Each of them must complete with its proper answer, the process must exit 0, and Consul's
 * catalog must have lost the instance before its port closed.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { catalogService, createTopic, portAnswers, testKafka, unique } from '../support/infra.js';
import { freePort, runEntry, serviceArgs } from '../support/processes.js';
import { recordReliability } from '../support/reliability-report.js';
import { waitFor } from '../support/wait-for.js';
import { cleanupAfterAll } from '../support/cleanup.js';

/**
 * Requests that wait for an offset the test writes just after the signal: they answer 200. The view looks at the log's
 * end again for a tenth of a second before it calls a position beyond it, and the write comes within that.
 */
const REACHED = 10;
/** Requests for an offset far beyond the log, which nobody writes: the client's mistake, 409 position_beyond_log. */
const NEVER_REACHED = 10;
/** Within the one second a stopping server gives requests in flight. */
const WAIT_MS = 700;

interface Answer {
  status: number;
  body: string;
  sentAt: number;
}

/** One GET on a connection of its own; `written` resolves once the whole request is on the wire. */
function get(port: number, path: string) {
  let onWritten: () => void = () => undefined;
  const written = new Promise<void>((resolve) => (onWritten = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const sentAt = Date.now();
    const outgoing = request({ host: '127.0.0.1', port, path, agent: false }, (incoming) => {
      let body = '';
      incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body, sentAt }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.on('finish', onWritten);
    outgoing.end();
  });
  return { written, answer };
}

describe('a view stopping under load', () => {
  const cleanup = cleanupAfterAll();

  it('answers every request in flight, exits 0, and leaves the catalog before its port closes', async () => {
    const topic = unique('sigterm');
    const name = unique('lastreadbooks');
    await createTopic(topic, 1);
    const producer = testKafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    const book = (id: string) => ({ value: JSON.stringify({ name: 'book-read', payload: { id, title: `Title ${id}` } }) });
    await producer.send({ topic, acks: -1, messages: [book('first')] });

    const port = await freePort();
    const view = runEntry('last-read', serviceArgs({ topic, name, port, logLevel: 'warn' }));
    cleanup.push(() => void view.child.kill('SIGKILL'));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, {
      timeout: 60_000,
      what: 'last-read healthy',
    });
    await waitFor(async () => (await catalogService(name)).length === 1, { what: 'last-read in the catalog' });

    const reached = Array.from({ length: REACHED }, () => get(port, `/?position=0:1&wait=${WAIT_MS + 200}`));
    const neverReached = Array.from({ length: NEVER_REACHED }, () => get(port, `/?position=0:1000000&wait=${WAIT_MS}`));
    await Promise.all([...reached, ...neverReached].map((pending) => pending.written));
    // A round trip on a new connection after them: the server has accepted and read every one of them (connections
    // are accepted in the order they came). Not `fetch`: it would reuse the connection of the health polls above, and
    // a request still in the accept queue when the signal comes is refused with the listening socket.
    expect((await get(port, '/health').answer).status).toBe(200);

    // Watch the port and the catalog together: in every sample the port is tried first, then the catalog.
    const samples: { at: number; portOpen: boolean; listed: boolean }[] = [];
    const watchUntil = Date.now() + 10_000;
    let sampled: () => void = () => undefined;
    const firstSample = new Promise<void>((resolve) => (sampled = resolve));
    const watcher = (async () => {
      while (Date.now() < watchUntil) {
        const portOpen = await portAnswers(port);
        const listed = (await catalogService(name)).length > 0;
        samples.push({ at: Date.now(), portOpen, listed });
        sampled();
        if (!portOpen && !listed) return;
      }
    })();
    await firstSample;
    expect(samples[0]).toMatchObject({ portOpen: true, listed: true });

    const signalledAt = Date.now();
    view.child.kill('SIGTERM');
    await producer.send({ topic, acks: -1, messages: [book('second')] });
    const answers = await Promise.all(
      [...reached, ...neverReached].map((pending) =>
        pending.answer.catch((error: Error) => ({ status: 0, body: error.message, sentAt: 0 })),
      ),
    );
    const exit = await view.exited;
    const exitedAfter = Date.now() - signalledAt;
    await watcher;

    const deregisteredAt = samples.find((sample) => !sample.listed)?.at;
    const portClosedAt = samples.find((sample) => !sample.portOpen)?.at;
    const closedWhileListed = samples.filter((sample) => !sample.portOpen && sample.listed);
    const proper = answers.map((answer, i) =>
      i < REACHED
        ? answer.status === 200 && (JSON.parse(answer.body) as { id: string }[])[0]?.id === 'second'
        : answer.status === 409 && answer.body.includes('position_beyond_log'),
    );
    recordReliability('SIGTERM under load', {
      fault: `last-read gets SIGTERM with ${REACHED + NEVER_REACHED} read-your-writes requests waiting in it`,
      guarantee: 'every request in flight gets its proper answer; exit 0 within 2 s; out of the catalog before the port closes',
      figures: {
        'requests in flight': answers.length,
        'answered 200 (position reached while stopping)': answers.filter((answer, i) => i < REACHED && proper[i]).length,
        'answered 409 position_beyond_log': answers.filter((answer, i) => i >= REACHED && proper[i]).length,
        'cut or wrong': proper.filter((ok) => !ok).length,
        'exit code': exit.code ?? `signal ${exit.signal}`,
        'exit after SIGTERM ms': exitedAfter,
        'out of the catalog after ms': deregisteredAt === undefined ? 'never' : deregisteredAt - signalledAt,
        'port closed after ms': portClosedAt === undefined ? 'never' : portClosedAt - signalledAt,
        'samples after SIGTERM': samples.filter((sample) => sample.at >= signalledAt).length,
        'samples with the port closed and the instance listed': closedWhileListed.length,
      },
    });

    expect(answers.map((answer) => answer.status)).toEqual([
      ...Array<number>(REACHED).fill(200),
      ...Array<number>(NEVER_REACHED).fill(409),
    ]);
    expect(proper).toEqual(Array(answers.length).fill(true));
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfter).toBeLessThan(2000);
    expect(deregisteredAt).toBeDefined();
    expect(portClosedAt).toBeDefined();
    expect(deregisteredAt!).toBeLessThanOrEqual(portClosedAt!);
    expect(closedWhileListed).toEqual([]);
  });
});
