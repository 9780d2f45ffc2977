/**
 * A lean HTTP client for the bench's own requests (node:http with keep-alive): fetch costs the bench
 * process about a millisecond of CPU per request, which at 1,000 requests/s would take a core from
 * the services it measures.
 */
import { Agent, request } from 'node:http';

// A timeout lets the agent honour the servers' Keep-Alive hint (5 s): it drops an idle socket a second before the
// server would, instead of sending a request on it as the server closes it (a "socket hang up").
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 });

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    fresh = false,
  }: { method?: string; headers?: Record<string, string>; body?: string; /** On a new connection. */ fresh?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: fresh ? false : agent,
        headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
