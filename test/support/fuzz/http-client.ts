/** A client that sends fuzzed requests and reads the answers without judging them. */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { FuzzRequest } from './http-generators.js';

export interface FuzzAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
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
          // A change stream never ends: its status and headers are the answer, and the client goes at once.
          if (String(incoming.headers['content-type']).startsWith('text/event-stream')) {
            resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: '' });
            outgoing.destroy();
            return;
          }
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
