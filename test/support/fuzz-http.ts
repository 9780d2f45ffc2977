/**
 * HTTP requests for fuzzing `books` and `shelf`: odd methods, paths, headers, queries and bodies, most of them
 * wrong, some of them good commands, and a few that are not even well-formed HTTP. A client that sends them
 * and reads the answers without judging them.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { deepArray, deepObject, oddText, type Random } from './fuzz-random.js';

export type Target = 'books' | 'shelf';

export interface FuzzRequest {
  target: Target;
  method: string;
  /** As it goes on the wire: percent-encoded where a client would, odd where it would not. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  /** Carries a well-formed read-your-writes token: a view may answer 503 not_caught_up. */
  mayWait?: boolean;
  /** Bytes sent as they are over a fresh connection, for requests no HTTP client would make. */
  raw?: Buffer;
}

export interface FuzzAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const MAX_BODY = 64 * 1024;
const BOOK_FIELDS = ['id', 'title', 'author', 'type', 'year', 'isbn'];

export interface HttpFuzzOptions {
  /** Ids the requests name: a small pool, so that commands meet books that exist, were read or removed. */
  ids: string[];
  token: string;
}

/** Every UTF-8 byte as %XX (a lone surrogate becomes U+FFFD first). */
const percentEncoded = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');

function oddId(random: Random): string {
  return random.pick([
    '',
    '%2e%2e',
    '..',
    '%2F',
    'a%2Fb',
    '%00',
    '%zz',
    '%',
    '%E0%A4%A',
    '%F0%9F%98%80',
    encodeURIComponent('漢字'),
    'x'.repeat(201),
    'x'.repeat(4000),
    '__proto__',
    'constructor',
    'a;b=c',
    'a,b',
    "'--",
    '%3Cscript%3E',
    '*',
    '@',
    '+',
    '%20',
  ]);
}

function pathFor(random: Random, target: Target, ids: string[]): string {
  const id = random.chance(0.75) ? random.pick(ids) : oddId(random);
  const prefix = target === 'books' ? '/books' : '/bookshelf/books';
  const routes =
    target === 'books'
      ? [`${prefix}`, `${prefix}/${id}`, `${prefix}/${id}/started`, `${prefix}/${id}/finished`, `${prefix}/${id}/rating`]
      : [
          `${prefix}`,
          `${prefix}/${id}`,
          `${prefix}/${id}/started`,
          `${prefix}/${id}/finished`,
          `${prefix}/${id}/rating`,
          `${prefix}/last/read`,
          '/openapi.json',
          '/docs',
          '/services',
        ];
  const common = ['/health', '/metrics', '/rejected', '/', '/nope'];
  const tricks = [
    `/${prefix}`,
    `${prefix}/`,
    `${prefix}//started`,
    `${prefix}/${id}/started/`,
    `${prefix}/${id}/STARTED`,
    prefix.toUpperCase(),
    `${prefix}/../health`,
    `${prefix}/%2e%2e/health`,
    `${prefix}/${id}/started/extra`,
    `/%zz`,
    `/${'a/'.repeat(500)}`,
    `/${'x'.repeat(8000)}`,
    `${prefix};jsessionid=1`,
    `${prefix}%00`,
    `${prefix}/${percentEncoded(oddText(random, 6))}`,
    '/docs/../../../etc/passwd',
    '/docs/%2e%2e/%2e%2e/etc/passwd',
  ];
  const path = random.weighted<string>([
    [70, random.pick(routes)],
    [10, random.pick(common)],
    [20, random.pick(tricks)],
  ]);
  return path + query(random);
}

/** A read-your-writes token; `unicode` adds one that only a query string can carry. */
function positionToken(random: Random, unicode = false): { token: string; wellFormed: boolean } {
  if (random.chance(0.5)) return { token: random.pick(['0:0', '1:0,2:0', '0:999999999', '99:1', '0:1,2:3']), wellFormed: true };
  return {
    token: random.pick([
      '',
      'x',
      '0',
      ':1',
      '1:',
      '-1:0',
      '0:-1',
      '0:1:2',
      '1:99999999999999999',
      '0:1,,',
      ' ',
      'a'.repeat(300),
      '0:0;1:1',
      unicode ? '１:１' : '1:1x',
    ]),
    wellFormed: false,
  };
}

function query(random: Random): string {
  if (random.chance(0.7)) return '';
  const parts: string[] = [];
  for (let i = random.int(1, 3); i > 0; i--) {
    parts.push(
      random.pick([
        `status=${random.pick(['unread', 'reading', 'read', 'READ', '', 'x', '%zz'])}`,
        'status=read&status=unread',
        `wait=${random.pick(['0', '1', '-1', 'abc', '1e9', '1.5', '', '99999999999999999999'])}`,
        `position=${encodeURIComponent(positionToken(random, true).token)}`,
        `${random.text(3)}=${random.text(3)}`,
        '%zz=%zz',
        'a[b][c]=d',
        '__proto__[x]=1',
        `${'q'.repeat(2000)}=1`,
      ]),
    );
  }
  return `?${parts.join('&')}`;
}

/** A body that is a book, or almost one. */
function bookBody(random: Random, ids: string[]): unknown {
  const book: Record<string, unknown> = { title: oddText(random, random.int(1, 30)) };
  if (random.chance(0.6)) book.id = random.chance(0.9) ? random.pick(ids) : random.pick(['', 'a b', 'x'.repeat(201), 5, null, '漢字']);
  if (random.chance(0.4)) book.author = random.pick<unknown>([[{ name: 'A' }], 'A', [{ name: 'A' }, { name: 'B' }], [], null]);
  if (random.chance(0.2)) book.year = random.pick<unknown>(['1949', 1949, null]);
  if (random.chance(0.2)) book.type = 'novel';
  if (random.chance(0.1)) book.isbn = '9780000000000';
  if (random.chance(0.3)) {
    // One field wrong.
    const field = random.pick(BOOK_FIELDS);
    book[field] = random.pick<unknown>([
      5,
      1.5,
      true,
      {},
      [],
      [5],
      [{ name: 5 }],
      'x'.repeat(1001),
      Array.from({ length: 101 }, () => ({ name: 'a' })),
      ' ',
      '',
    ]);
  }
  if (random.chance(0.05)) book[random.pick(['extra', '__proto__', 'constructor', 'rating'])] = { x: 1 };
  if (random.chance(0.05)) delete book.title;
  return book;
}

function body(random: Random, path: string, ids: string[]): { body?: Buffer; contentType?: string } {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const kind = random.weighted<string>([
    [40, 'book'],
    [15, 'rating'],
    [10, 'none'],
    [10, 'bad-json'],
    [8, 'wrong-type'],
    [4, 'deep'],
    [4, 'huge'],
    [3, 'boundary'],
    [6, 'encoding'],
  ]);
  const contentType = random.weighted<string | undefined>([
    [85, 'application/json'],
    [3, 'application/json; charset=utf-8'],
    [2, 'application/problem+json'],
    [2, 'text/plain'],
    [1, 'application/x-www-form-urlencoded'],
    [1, 'multipart/form-data; boundary=x'],
    [1, 'application/json; charset=utf-16'],
    [1, 'application/json; charset=nope'],
    [1, 'APPLICATION/JSON'],
    [1, ';;;'],
    [2, undefined],
  ]);
  switch (kind) {
    case 'book':
      return { body: json(bookBody(random, ids)), contentType };
    case 'rating':
      return { body: json({ rating: random.pick<unknown>([1, 3, 5, 0, 6, 2.5, '5', null, -1, 1e308, [5], { value: 5 }]) }), contentType };
    case 'none':
      return random.chance(0.5) ? {} : { body: Buffer.alloc(0), contentType };
    case 'bad-json':
      return {
        body: Buffer.from(
          random.pick([
            '{',
            '{"title":',
            "{'title':'x'}",
            '{"title":"x",}',
            '{"title":NaN}',
            '\ufeff{"title":"x"}',
            'null',
            'nul',
            '"just a string"',
            '[1,2',
            '{"title":"\\ud800"}',
            '{"title":"x"}{"title":"y"}',
            '{"title":"\u0000"}',
            random.bytes(random.int(1, 200)).toString('latin1'),
          ]),
        ),
        contentType,
      };
    case 'wrong-type':
      return { body: json(random.pick<unknown>([[], [bookBody(random, ids)], 5, 'x', true, null, {}, { rating: {} }])), contentType };
    case 'deep':
      return {
        body: Buffer.from(
          random.pick([
            deepArray(random.int(1000, 30_000)),
            deepObject(random.int(1000, 9000)),
            `{"title":"x","author":${deepArray(random.int(1000, 20_000))}}`,
            `{"title":${deepObject(random.int(1000, 9000))}}`,
            `{"rating":${deepArray(random.int(1000, 20_000), '5')}}`,
          ]),
        ),
        contentType,
      };
    case 'huge':
      return {
        body: Buffer.from(
          random.pick([
            `{"title":"${'h'.repeat(MAX_BODY + 10)}"}`,
            'x'.repeat(random.int(MAX_BODY + 1, 400_000)),
            `[${'1,'.repeat(MAX_BODY)}1]`,
          ]),
        ),
        contentType,
      };
    case 'boundary': {
      // Just under, at and just over 64 KiB.
      const size = MAX_BODY + random.int(-2, 1);
      const text = `{"title":"b","isbn":"${'9'.repeat(size - 23)}"}`;
      return { body: Buffer.from(text), contentType: 'application/json' };
    }
    default:
      return { body: json(path.endsWith('/rating') ? { rating: 4 } : bookBody(random, ids)), contentType };
  }
}

function headers(random: Random, token: string, hasBody: boolean): { headers: Record<string, string>; mayWait: boolean } {
  const out: Record<string, string> = {};
  let mayWait = false;
  const auth = random.weighted<string | undefined>([
    [80, `Bearer ${token}`],
    [8, undefined],
    [2, 'Bearer wrong'],
    [1, 'Bearer'],
    [1, `bearer  ${token}`],
    [1, `Bearer ${token} extra`],
    [1, `Basic ${Buffer.from(`u:${token}`).toString('base64')}`],
    [1, `Bearer ${'t'.repeat(8000)}`],
    [1, token],
  ]);
  if (auth !== undefined) out.authorization = auth;
  if (random.chance(0.15))
    out['idempotency-key'] = random.pick([
      'key-1',
      'key-2',
      random.text(20),
      '',
      ' ',
      'a b',
      'k'.repeat(256),
      'k'.repeat(255),
      'ünï',
      '\t',
    ]);
  if (random.chance(0.1)) {
    const { token: position, wellFormed } = positionToken(random);
    out['x-bookshelf-position'] = position;
    mayWait = wellFormed;
  }
  if (random.chance(0.05)) out.accept = random.pick(['text/html', '*/*', 'application/xml', '', 'a'.repeat(2000)]);
  if (random.chance(0.03)) out['content-encoding'] = random.pick(['gzip', 'deflate', 'br', 'identity', 'compress', 'x']);
  if (random.chance(0.02)) out.expect = '100-continue';
  if (random.chance(0.02)) out['x-forwarded-for'] = '1.2.3.4, <script>';
  if (random.chance(0.02)) out.cookie = 'c'.repeat(8000);
  if (random.chance(0.02)) for (let i = 0; i < 80; i++) out[`x-fuzz-${i}`] = random.text(10);
  if (random.chance(0.02)) out.host = random.pick(['evil.example', '', '[::1]:99999', 'a'.repeat(300)]);
  if (random.chance(0.02)) out['x-http-method-override'] = 'DELETE';
  if (!hasBody && random.chance(0.02)) out['content-type'] = 'application/json';
  return { headers: out, mayWait };
}

/** Requests no HTTP client library would send: the server's parser sees them first. */
function rawRequest(random: Random, token: string): Buffer {
  const lines = random.pick([
    'FOO / HTTP/1.1\r\nHost: x\r\n\r\n',
    'get /health HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /health HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /health\r\n\r\n',
    'GET /health HTTP/1.1\r\nNo colon here\r\n\r\n',
    `GET /health HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    'POST /books HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    'POST /books HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    `POST /books HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    'POST /books HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    'GET http://evil.example/health HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
    'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
    'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n',
    'GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    'GET /health HTTP/1.0\r\n\r\n',
    'GET /health HTTP/1.1\r\nHost: x\r\nX-Null: a\u0000b\r\n\r\n',
    '\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n',
    ` ${'x'.repeat(100)}`,
  ]);
  return Buffer.from(lines, 'latin1');
}

function naturalMethod(random: Random, path: string): string | undefined {
  const bare = path.split('?')[0]!;
  if (/\/(started|finished)$/.test(bare)) return 'POST';
  if (/\/rating$/.test(bare)) return 'PUT';
  if (/^\/(bookshelf\/)?books$/.test(bare)) return random.pick(['POST', 'GET']);
  if (/^\/(bookshelf\/)?books\/[^/]+$/.test(bare)) return random.pick(['DELETE', 'GET']);
  if (/^\/(health|metrics|rejected|openapi\.json|docs|services|bookshelf\/books\/last\/read)$/.test(bare)) return 'GET';
  return undefined;
}

/** `count` requests, split between books and the gateway. */
export function httpFuzz(random: Random, count: number, { ids, token }: HttpFuzzOptions): FuzzRequest[] {
  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    const target: Target = random.chance(0.5) ? 'books' : 'shelf';
    if (random.chance(0.02)) {
      requests.push({ target, method: 'RAW', path: '', headers: {}, raw: rawRequest(random, token) });
      continue;
    }
    let method = random.weighted<string>([
      [35, 'POST'],
      [20, 'GET'],
      [10, 'PUT'],
      [10, 'DELETE'],
      [5, 'PATCH'],
      [5, 'HEAD'],
      [5, 'OPTIONS'],
      [1, 'TRACE'],
      [1, 'PROPFIND'],
      [1, 'PURGE'],
      [1, 'SEARCH'],
      [1, 'LOCK'],
    ]);
    const path = pathFor(random, target, ids);
    // Mostly the method the route takes, so that most requests get past routing to the checks behind it.
    if (random.chance(0.6)) method = naturalMethod(random, path) ?? method;
    const withBody = ['POST', 'PUT', 'PATCH'].includes(method) ? random.chance(0.9) : random.chance(0.05);
    const content = withBody ? body(random, path, ids) : {};
    const { headers: extra, mayWait } = headers(random, token, content.body !== undefined);
    if (content.contentType !== undefined) extra['content-type'] = content.contentType;
    requests.push({
      target,
      method,
      path,
      headers: extra,
      ...(content.body !== undefined && { body: content.body }),
      ...(content.body !== undefined && content.body.length > 0 && random.chance(0.1) && { chunked: true }),
      mayWait: mayWait || path.includes('position='),
    });
  }
  return requests;
}

/** Sends requests and reads answers; `RAW` requests go over a connection of their own. */
export function fuzzClient(concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

  function send(base: { host: string; port: number }, req: FuzzRequest, timeoutMs: number): Promise<FuzzAnswer> {
    if (req.raw) return sendRaw(base, req.raw, timeoutMs);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) {
        if (req.chunked) headers['transfer-encoding'] = 'chunked';
        else headers['content-length'] = String(req.body.length);
      }
      const outgoing = request(
        { host: base.host, port: base.port, method: req.method, path: req.path, headers, agent, setHost: headers.host === undefined },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () =>
            resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      if (req.body !== undefined && req.body.length > 0) {
        if (req.chunked) {
          // Several chunks, as a streaming client sends them.
          const step = Math.max(1, Math.ceil(req.body.length / 3));
          for (let at = 0; at < req.body.length; at += step) outgoing.write(req.body.subarray(at, at + step));
        } else outgoing.write(req.body);
      }
      outgoing.end();
    });
  }

  return { send, close: () => agent.destroy() };
}

/** Writes bytes, reads until the server closes or a whole answer (by Content-Length) has come. */
function sendRaw(base: { host: string; port: number }, bytes: Buffer, timeoutMs: number): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: base.host, port: base.port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return;
      const [statusLine, ...headerLines] = text.slice(0, head).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = text.slice(head + 4);
      const length = headers['content-length'];
      if (length !== undefined && Buffer.byteLength(body, 'latin1') < Number(length)) return;
      settled = true;
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
        headers,
        body: Buffer.from(body, 'latin1').toString('utf8'),
      });
    };
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      if (!settled) reject(new Error(`no answer in ${timeoutMs} ms`));
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      finish();
    });
    socket.on('end', () => {
      finish();
      if (!settled) {
        settled = true;
        // Closed without a whole answer.
        resolve({ status: 0, headers: {}, body: Buffer.concat(chunks).toString('latin1') });
      }
    });
    socket.on('error', (error) => {
      if (!settled) {
        settled = true;
        resolve({
          status: 0,
          headers: {},
          body: `socket error: ${error.message}; got ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`,
        });
      }
    });
    socket.write(bytes);
  });
}

/** One line naming a request, for failure messages. */
export function describeRequest(req: FuzzRequest): string {
  if (req.raw) return `RAW ${JSON.stringify(req.raw.toString('latin1').slice(0, 120))} → ${req.target}`;
  const headers = Object.entries(req.headers)
    .map(([name, value]) => `${name}: ${value.slice(0, 40)}`)
    .join('; ');
  return `${req.method} ${req.target}${req.path.slice(0, 150)} [${headers.slice(0, 300)}] body ${req.body === undefined ? '-' : JSON.stringify(req.body.toString('utf8').slice(0, 120))} (${req.body?.length ?? 0} bytes${req.chunked ? ', chunked' : ''})`;
}
