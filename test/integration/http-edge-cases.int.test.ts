/** Requests the HTTP fuzzing found answered wrongly, answered as the contract says: problem+json, never a 5xx. */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBooks } from '../support/in-process.js';
import { createTopic, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';

let books: Awaited<ReturnType<typeof startTestBooks>>;

beforeAll(async () => {
  const topic = unique('http-edges');
  await createTopic(topic, 1);
  books = await startTestBooks({ topic });
  await waitFor(async () => (await books.send('GET', '/health')).status === 200, { what: 'books caught up' });
});
afterAll(() => books?.stop());

/** Bytes over a connection of their own; the answer as text. */
const raw = (text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: books.port });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.end(text);
  });

const problemOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { status: number; code: string };

describe('HTTP edge cases', () => {
  it.each([
    ['an unknown method', 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['two Content-Lengths', 'POST /books HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'bad_request'],
    ['headers over 16 KiB', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
    ['CONNECT', 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n', 405, 'method_not_allowed'],
  ])('answers %s with problem+json', async (_, text, status, code) => {
    const answer = await raw(text);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/i);
    expect(problemOf(answer)).toMatchObject({ status, code });
  });

  it.each([
    ['alone', ''],
    ['after a GET in the same packet', 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('answers a HEAD whose headers are over 16 KiB (%s) with the 431 head and no body', async (_, before) => {
    const answer = await raw(`${before}HEAD /health?${'q'.repeat(200)} HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(20_000)}\r\n\r\n`);
    const last = answer.slice(answer.lastIndexOf('HTTP/1.1 '));
    expect(last).toMatch(/^HTTP\/1\.1 431 /);
    expect(last).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/i);
    expect(Number(/\r\nContent-Length: (\d+)\r\n/i.exec(last)?.[1])).toBeGreaterThan(0);
    expect(last.endsWith('\r\n\r\n'), 'nothing after the head').toBe(true);
  });

  it('answers a body that does not decode as its Content-Encoding says with 400, and decodes one that does', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const answer = await books.send('POST', '/books', { title: 'Emma' }, { 'Content-Encoding': encoding });
      expect(answer).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    }
    const response = await fetch(`${books.url}/books`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ id: 'gz', title: 'Zipped' })),
    });
    expect(response.status).toBe(201);
  });

  it('keeps a connection usable after refusing a chunked body over 64 KiB', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string, chunked: boolean) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const headers = {
          'Content-Type': 'application/json',
          ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(Buffer.byteLength(body)) }),
        };
        const req = request({ host: '127.0.0.1', port: books.port, method: 'POST', path: '/books', headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        for (let at = 0; at < body.length; at += 100_000) req.write(body.slice(at, at + 100_000));
        req.end();
      });
    try {
      expect((await post('x'.repeat(300_000), true)).status).toBe(413);
      expect(await post(JSON.stringify({ title: 'Next' }), false)).toEqual({ status: 201, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('refuses an Idempotency-Key used for another command or another book with 422, and writes nothing', async () => {
    expect((await books.send('POST', '/books', { id: 'k1', title: 'Emma' }, { 'Idempotency-Key': 'key-add' })).status).toBe(201);
    expect((await books.send('POST', '/books', { id: 'k2', title: 'Dune' })).status).toBe(201);
    expect((await books.send('POST', '/books/k1/started', undefined, { 'Idempotency-Key': 'key-start' })).status).toBe(204);

    expect(await books.send('POST', '/books/k1/finished', undefined, { 'Idempotency-Key': 'key-add' })).toMatchObject({
      status: 422,
      body: { code: 'idempotency_key_reused' },
    });
    expect(await books.send('POST', '/books', { title: 'Other' }, { 'Idempotency-Key': 'key-start' })).toMatchObject({
      status: 422,
      body: { code: 'idempotency_key_reused' },
    });
    expect(await books.send('DELETE', '/books/k2', undefined, { 'Idempotency-Key': 'key-start' })).toMatchObject({
      status: 422,
      body: { code: 'idempotency_key_reused' },
    });
    // The same command with its key is still a replay.
    expect(await books.send('POST', '/books/k1/started', undefined, { 'Idempotency-Key': 'key-start' })).toMatchObject({
      status: 204,
      headers: expect.anything(),
    });
    // k2 was not removed, and k1 not finished.
    expect((await books.send('POST', '/books/k2/started')).status).toBe(204);
    expect(await books.send('PUT', '/books/k1/rating', { rating: 5 })).toMatchObject({ status: 409, body: { code: 'not_read_yet' } });
  });
});
