/**
 * HTTP requests for fuzzing `books` and `shelf`: odd methods, paths, headers, queries and bodies, most of them
 * wrong, some of them good commands, and a few that are not even well-formed HTTP.
 */
import type { Random } from '../fuzz-random.js';
import { body } from './http-bodies.js';
import { lastEventId, naturalMethod, pathFor, positionToken } from './http-paths.js';

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

export interface HttpFuzzOptions {
  /** Ids the requests name: a small pool, so that commands meet books that exist, were read or removed. */
  ids: string[];
  token: string;
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
  if (random.chance(0.05)) out['last-event-id'] = lastEventId(random);
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
