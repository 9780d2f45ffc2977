/**
 * Many Server-Sent Events clients in one process, kept cheap: each scans what it receives for the book ids
 * of book-added changes and reports when it saw each, without parsing whole events.
 */
import { request, type ClientRequest } from 'node:http';

export interface SseClients {
  /** Resolves once every client has its stream open. */
  ready: Promise<void>;
  /** Clients whose stream ended (the server drops one that falls too far behind). */
  ended(): number;
  close(): void;
}

const MARK = '"view":"booklist","event":"book-added","book":"';

export function connectSseClients(url: string, count: number, onBook: (book: string, at: number) => void): SseClients {
  const requests: ClientRequest[] = [];
  let ended = 0;
  let closing = false;
  const opened: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    opened.push(
      new Promise((resolve, reject) => {
        const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`${url} answered ${res.statusCode}`));
          res.setEncoding('utf8');
          let tail = '';
          res.on('data', (chunk: string) => {
            const at = performance.now();
            const text = tail + chunk;
            let from = 0;
            for (;;) {
              const mark = text.indexOf(MARK, from);
              if (mark < 0) break;
              const start = mark + MARK.length;
              const end = text.indexOf('"', start);
              if (end < 0) break;
              onBook(text.slice(start, end), at);
              from = end;
            }
            // Keep what could be the start of a mark cut by the chunk's end.
            tail = text.slice(Math.max(from, text.length - MARK.length - 64));
          });
          res.on('error', () => {});
          res.on('close', () => closing || ended++);
          resolve();
        });
        req.on('error', reject);
        req.end();
        requests.push(req);
      }),
    );
  }
  return {
    ready: Promise.all(opened).then(() => undefined),
    ended: () => ended,
    close() {
      closing = true;
      for (const req of requests) req.destroy();
    },
  };
}
