/** An HTTP server that stops gracefully: no new requests, in-flight ones finish, idle connections close. */
import { createServer, STATUS_CODES, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProblemError, toProblem } from './problem.js';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes what is left. */
  close(graceMs?: number): Promise<void>;
}

export async function listen(handler: RequestListener, { addr, port }: { addr: string; port: number }): Promise<RunningServer> {
  let closing = false;
  const server = createServer((req, res) => {
    if (closing) res.setHeader('Connection', 'close');
    handler(req, res);
  });
  server.keepAliveTimeout = 5000;
  server.on('clientError', answerUnparsable);
  server.on('connect', (_req, socket: Duplex) => answerRaw(socket, new ProblemError('method_not_allowed', 'CONNECT is not supported')));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, addr, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const host = addr.includes(':') ? `[${addr}]` : addr === '0.0.0.0' ? '127.0.0.1' : addr;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    async close(graceMs = 1000) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** A request Node's parser refused (not HTTP, headers too large, too slow) gets problem+json too, then the connection closes. */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  // As Node does: no answer on a dead socket, nor in the middle of one already under way.
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || answering) {
    socket.destroy();
    return;
  }
  const code =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers_too_large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'bad_request';
  const problem = new ProblemError(code, `the request could not be read (${error.code ?? error.message})`);
  answerRaw(socket, problem, failedMethod(error) === 'HEAD');
}

/** What Node's parser gives with its error: the bytes it was reading, and how far it got in them. */
type ParseError = NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number };

const REQUEST_LINE = /(?:^|\n)([A-Z]+) \S+ HTTP\/\d\.\d\r?\n/g;

/**
 * The method of the request the parser failed on: that of the last request line before the point of failure, when
 * the bytes it was reading hold one. A HEAD must be answered without a body, or the client reads the body as the
 * start of another answer. Headers that overflow after the request line came in an earlier read leave it unknown.
 */
function failedMethod({ rawPacket, bytesParsed }: ParseError): string | undefined {
  if (rawPacket === undefined) return undefined;
  const read = rawPacket.toString('latin1', 0, Math.min(rawPacket.length, bytesParsed ?? rawPacket.length));
  let method: string | undefined;
  for (const match of read.matchAll(REQUEST_LINE)) method = match[1];
  return method;
}

function answerRaw(socket: Duplex, error: ProblemError, head = false): void {
  const problem = toProblem(error);
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
  );
}
