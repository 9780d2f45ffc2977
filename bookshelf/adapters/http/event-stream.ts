/** One Server-Sent Events response: frames, heartbeats, and a slow client dropped rather than buffered without end. */
import type { Context } from 'koa';

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

export const formatFrame = ({ id, event, data }: EventFrame): string =>
  `${id !== undefined ? `id: ${id}\n` : ''}${event !== undefined ? `event: ${event}\n` : ''}data: ${data}\n\n`;

/** Answers the request with an event stream; Koa leaves the response to it. */
export function openEventStream(
  ctx: Context,
  { heartbeatMs = 15_000, maxBufferedBytes = 1 << 20, retryMs = 1000, onClose }: EventStreamOptions = {},
): EventStream {
  const { res, req } = ctx;
  ctx.respond = false;
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: ${retryMs}\n\n`);

  let closed = false;
  let corked = false;
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose?.();
  };
  res.on('close', finish);

  function write(text: string): boolean {
    if (closed) return false;
    if (res.writableLength > maxBufferedBytes) {
      // The client does not read: keeping its backlog would grow memory without bound.
      res.destroy();
      finish();
      return false;
    }
    // Frames written in one turn of the event loop leave in one packet.
    if (!corked) {
      corked = true;
      res.cork();
      queueMicrotask(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(text);
    return true;
  }

  return {
    send: (frame) => write(formatFrame(frame)),
    sendText: write,
    close() {
      if (closed) return;
      res.end();
      finish();
    },
    get closed() {
      return closed;
    },
  };
}
