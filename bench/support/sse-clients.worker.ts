/**
 * The worker of sse-clients.ts: opens the streams and, kept cheap, scans what each receives for the book ids of
 * book-added changes without parsing whole events; times each against its command's answer.
 */
import { request, type ClientRequest } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { now, type SseClientsOptions, type WorkerMessage } from './sse-clients.js';

const MARK = Buffer.from('"view":"booklist","event":"book-added","book":"');
const QUOTE = 0x22;
const FRAME_END = Buffer.from('\n\n');
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
    tell({ type: 'latencies', latencies, busy: performance.eventLoopUtilization().utilization });
  }
});

const requests: ClientRequest[] = [];
const opened: Promise<void>[] = [];
for (let i = 0; i < count; i++) {
  opened.push(
    new Promise((resolve, reject) => {
      const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`${url} answered ${res.statusCode}`));
        // Scanned as bytes, never decoded.
        let tail: Buffer | undefined;
        res.on('data', (chunk: Buffer) => {
          const at = now();
          const bytes = tail === undefined ? chunk : Buffer.concat([tail, chunk]);
          // Whole frames only: the one cut by the chunk's end is read with the next chunk.
          const frameEnd = bytes.lastIndexOf(FRAME_END);
          const whole = frameEnd < 0 ? 0 : frameEnd + FRAME_END.length;
          for (let from = 0; ;) {
            const mark = bytes.indexOf(MARK, from);
            if (mark < 0 || mark >= whole) break;
            const start = mark + MARK.length;
            const end = bytes.indexOf(QUOTE, start);
            onBook(bytes.toString('latin1', start, end), at);
            from = end;
          }
          tail = whole === bytes.length ? undefined : Buffer.from(bytes.subarray(whole));
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
