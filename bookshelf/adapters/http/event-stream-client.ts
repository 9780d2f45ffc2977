/** Reads a Server-Sent Events stream from an upstream instance, event by event, until it ends. */
import { request } from 'node:http';
import { ConnectFailedError, type Upstream } from './proxy.js';

export interface UpstreamEvent {
  id?: string;
  event?: string;
  data: string;
}

export interface FollowOptions {
  path: string;
  lastEventId?: string;
  headers?: Record<string, string>;
  /** Nothing at all (not even a heartbeat) for this long: the upstream is taken for gone. */
  idleTimeoutMs: number;
  onEvent: (event: UpstreamEvent) => void;
}

export interface FollowedStream {
  /** Resolves when the upstream ends the stream; rejects when it cannot be reached or answers otherwise. */
  done: Promise<void>;
  close: () => void;
}

export function followEventStream(
  upstream: Upstream,
  { path, lastEventId, headers = {}, idleTimeoutMs, onEvent }: FollowOptions,
): FollowedStream {
  let closing = false;
  const outgoing = request({
    host: upstream.address,
    port: upstream.port,
    path,
    agent: false,
    headers: {
      ...headers,
      accept: 'text/event-stream',
      ...(lastEventId !== undefined && lastEventId !== '' && { 'last-event-id': lastEventId }),
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    let answered = false;
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (closing) return resolve();
      reject(answered ? error : new ConnectFailedError(upstream, error));
    });
    outgoing.setTimeout(idleTimeoutMs, () =>
      outgoing.destroy(new Error(`no data from ${upstream.address}:${upstream.port} in ${idleTimeoutMs} ms`)),
    );
    outgoing.on('response', (incoming) => {
      answered = true;
      if (incoming.statusCode !== 200) {
        incoming.resume();
        outgoing.destroy(new Error(`${upstream.address}:${upstream.port} answered ${incoming.statusCode}`));
        return;
      }
      incoming.setEncoding('utf8');
      let buffer = '';
      let frame: UpstreamEvent = { data: '' };
      let hasData = false;
      incoming.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end).replace(/\r$/, '');
          buffer = buffer.slice(end + 1);
          if (line === '') {
            if (hasData) onEvent(frame);
            frame = { data: '' };
            hasData = false;
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') {
            frame.data = hasData ? `${frame.data}\n${value}` : value;
            hasData = true;
          } else if (field === 'id') frame.id = value;
          else if (field === 'event') frame.event = value;
        }
      });
      incoming.on('end', () => resolve());
      incoming.on('close', () => resolve());
      incoming.on('error', (error) => (closing ? resolve() : reject(error)));
    });
  });
  outgoing.end();
  return {
    done,
    close() {
      closing = true;
      outgoing.destroy();
    },
  };
}
