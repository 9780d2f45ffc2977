/**
 * The worker of sse-clients.ts: opens the streams and, kept cheap, scans what each receives for the book ids of
 * book-added changes without parsing whole events; times each against its command's answer.
 */
import { request, type ClientRequest } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { now, type SseClientsOptions, type WorkerMessage } from './sse-clients.js';

const MARK = '"view":"booklist","event":"book-added","book":"';
const { url, count, prefix, countFrom } = workerData as SseClientsOptions;
const port = parentPort!;
const tell = (message: WorkerMessage) => port.postMessage(message);

const answeredAt = new Map<string, number>();
/** Books a client saw before the main thread heard the command's answer: each counts as no wait at all. */
const early = new Map<string, number>();
const latencies: number[] = [];
let ended = 0;
let closing = false;

const counted = (book: string): boolean => book.startsWith(prefix) && Number(book.slice(prefix.length)) >= countFrom;

function onBook(book: string, at: number): void {
  if (!counted(book)) return;
  const answered = answeredAt.get(book);
  if (answered !== undefined) latencies.push(Math.max(0, at - answered));
  else early.set(book, (early.get(book) ?? 0) + 1);
}

port.on('message', (message: { type: 'answered'; book: string; at: number } | { type: 'finish' }) => {
  if (message.type === 'answered') {
    answeredAt.set(message.book, message.at);
    for (let i = early.get(message.book) ?? 0; i > 0; i--) latencies.push(0);
    early.delete(message.book);
  } else {
    closing = true;
    for (const req of requests) req.destroy();
    tell({ type: 'latencies', latencies });
  }
});

const requests: ClientRequest[] = [];
const opened: Promise<void>[] = [];
for (let i = 0; i < count; i++) {
  opened.push(
    new Promise((resolve, reject) => {
      const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`${url} answered ${res.statusCode}`));
        res.setEncoding('utf8');
        let tail = '';
        res.on('data', (chunk: string) => {
          const at = now();
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
Promise.all(opened).then(
  () => tell({ type: 'ready' }),
  (error: Error) => tell({ type: 'error', message: error.message }),
);
setInterval(() => tell({ type: 'progress', seen: latencies.length, ended }), 50).unref();
