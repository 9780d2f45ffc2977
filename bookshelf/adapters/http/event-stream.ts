/** One Server-Sent Events response: frames, heartbeats, and a slow client dropped rather than buffered without end. */
import type { Context } from 'koa';
import { createFrameBatch, type BatchTarget } from './frame-batch.js';

export interface EventFrame {
  id?: string;
  event?: string;
  /** One line: JSON text. */
  data: string;
}

export interface EventStreamOptions {
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
  /** A client that lets this much pile up unread is dropped. */
  maxBufferedBytes?: number;
  /** How long an EventSource waits before it reconnects. */
  retryMs?: number;
  onClose?: () => void;
}

export interface EventStream {
  /** False once the stream is closed (by the client, by a stop, or because the client fell behind). */
  send(frame: EventFrame): boolean;
  /** Sends a frame already made by formatFrame (one text for many clients). */
  sendText(text: string): boolean;
  close(): void;
  readonly closed: boolean;
}

// One batch for every stream of the process: the clients of the same change share its bytes. Under load it writes
// every 25 ms at most (a change waits 12 ms on average): 500 clients then cost 20,000 writes a second, not one per frame.
const batch = createFrameBatch({ minIntervalMs: 25 });

/** How many times the bound one turn of the event loop may queue: a resumed backlog is sent whole, not without end. */
const BURST = 16;

export const formatFrame = ({ id, event, data }: EventFrame): string =>
  `${id !== undefined ? `id: ${id}\n` : ''}${event !== undefined ? `event: ${event}\n` : ''}data: ${data}\n\n`;

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
};

/**
 * A HEAD of an event stream: the head a GET would get, and nothing more. A stream opened for it would never be
 * answered (Node writes no body for a HEAD, so the head waits for a first write that never comes).
 */
export function answerStreamHead(ctx: Context): void {
  ctx.status = 200;
  ctx.set(STREAM_HEADERS);
}

/** Answers the request with an event stream; Koa leaves the response to it. */
export function openEventStream(
  ctx: Context,
  { heartbeatMs = 15_000, maxBufferedBytes = 1 << 20, retryMs = 1000, onClose }: EventStreamOptions = {},
): EventStream {
  const { res, req } = ctx;
  ctx.respond = false;
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  res.writeHead(200, { ...STREAM_HEADERS, Connection: 'keep-alive' });
  res.write(`retry: ${retryMs}\n\n`);

  let closed = false;
  /** Characters queued in the batch and not yet written. */
  let queuedChars = 0;
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    batch.take(target);
    onClose?.();
  };
  res.on('close', finish);

  const target: BatchTarget = {
    flush(bytes) {
      queuedChars = 0;
      if (closed) return;
      // What the client has not taken of earlier writes: one turn's frames (a resumed backlog) may pass the bound.
      if (res.writableLength > maxBufferedBytes) return drop();
      // Chunked encoding writes a size line, the bytes and an end of line: corked, they leave in one packet.
      res.cork();
      res.write(bytes);
      res.uncork();
    },
  };

  function drop(): false {
    // The client does not read: keeping its backlog would grow memory without bound. It resumes with Last-Event-ID.
    res.destroy();
    finish();
    return false;
  }

  function write(text: string): boolean {
    if (closed) return false;
    queuedChars += text.length;
    if (res.writableLength > maxBufferedBytes || queuedChars > maxBufferedBytes * BURST) return drop();
    batch.queue(target, text);
    return true;
  }

  return {
    send: (frame) => write(formatFrame(frame)),
    sendText: write,
    close() {
      if (closed) return;
      const frames = batch.take(target);
      if (frames.length > 0) res.write(frames.join(''));
      res.end();
      finish();
    },
    get closed() {
      return closed;
    },
  };
}
