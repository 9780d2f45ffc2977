/**
 * One HTTP request and its whole answer as text, through `node:http` or `node:https`. Not `fetch`: a process's first
 * `fetch` loads undici and its WebAssembly parser, a tenth to a quarter of a second of CPU, which each service and the
 * launcher paid at every start.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TextRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, from connecting to the answer's last byte. */
  timeoutMs: number;
}

export interface TextAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Rejects on a network error or a timeout; any status resolves. */
export function requestText(url: string, { method = 'GET', headers = {}, body, timeoutMs }: TextRequest): Promise<TextAnswer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method,
        headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (incoming) => {
        const pieces: Buffer[] = [];
        incoming.on('data', (piece: Buffer) => pieces.push(piece));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(pieces).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Whether a status is a success. */
export const isOk = (status: number): boolean => status >= 200 && status <= 299;
