/**
 * Many Server-Sent Events clients, run in a worker thread so that reading their streams does not hold up the
 * bench's own commands and reads (nor their timestamps). The worker matches each book-added change a client
 * sees to the time the command was answered, and hands back only the latencies.
 */
import { Worker } from 'node:worker_threads';

export interface SseClientsOptions {
  url: string;
  count: number;
  /** Only books whose id starts so are timed … */
  prefix: string;
  /** … and whose number after the prefix is at least this (the warm-up is not). */
  countFrom: number;
}

export interface SseClients {
  /** Resolves once every client has its stream open. */
  ready: Promise<void>;
  /** The command for `book` was answered at `at` (ms on the shared clock, `now()`). */
  answered(book: string, at: number): void;
  /** Latencies seen so far (as last reported by the worker, every 50 ms). */
  seen(): number;
  /** Clients whose stream ended (the server drops one that falls too far behind). */
  ended(): number;
  /** Every latency, in ms, and how busy the clients' thread was; then the clients hang up. */
  finish(): Promise<{ latencies: number[]; busy: number }>;
}

/** Milliseconds on a clock both threads share (each thread's performance.now() has its own origin). */
export const now = (): number => performance.timeOrigin + performance.now();

export function connectSseClients(options: SseClientsOptions): SseClients {
  const worker = new Worker(new URL('./sse-clients.worker.js', import.meta.url), { workerData: options });
  let seen = 0;
  let ended = 0;
  let finished: ((result: { latencies: number[]; busy: number }) => void) | undefined;
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  failed.catch(() => {});
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'error') reject(new Error(message.message));
      else if (message.type === 'progress') ({ seen, ended } = message);
      else if (message.type === 'latencies') finished?.(message);
    });
    void failed.catch(reject);
  });
  return {
    ready,
    answered: (book, at) => worker.postMessage({ type: 'answered', book, at }),
    seen: () => seen,
    ended: () => ended,
    async finish() {
      const latencies = new Promise<{ latencies: number[]; busy: number }>((resolve) => (finished = resolve));
      worker.postMessage({ type: 'finish' });
      try {
        return await Promise.race([latencies, failed]);
      } finally {
        await worker.terminate();
      }
    },
  };
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'progress'; seen: number; ended: number }
  /** `busy`: the share of its time the worker's event loop was busy (near 1: the clients measure themselves). */
  | { type: 'latencies'; latencies: number[]; busy: number };
