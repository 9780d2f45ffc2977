/**
 * GET /changes of a view: its applied changes as Server-Sent Events, each with `id:` the view's
 * position token after it, resumable with Last-Event-ID while the view still keeps what the client lacks.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Change, ChangeFeed } from '../../app/change-feed.js';
import { formatPosition, parsePosition, type LogPosition } from '../../app/log-position.js';
import { answerStreamHead, openEventStream, type EventStream } from './event-stream.js';
import { ProblemError } from './problem.js';

export interface ChangesSource {
  feed: ChangeFeed;
  /** The view's name in every event's data (its default Consul name: booklist, lastreadbooks). */
  view: string;
  appliedPosition(): string;
  status(): { lag: number; caughtUp: boolean };
  /** What the view now says about the change's book, merged into the event's data. */
  describe(change: Change): object;
  /** The position of the snapshot the view started from, if it did: the changes before it were never here. */
  startedFrom?: () => string | undefined;
}

export interface ChangesOptions {
  heartbeatMs?: number;
  /** How often the lag is looked at, to tell clients when it changed. */
  statusEveryMs?: number;
}

const toPosition = (token: string): Map<number, number> => new Map(token === '' ? [] : parsePosition(token));

/** The client's resume point: the Last-Event-ID header an EventSource sends, or `?lastEventId=` for a first connection. */
export function readLastEventId(ctx: Context): string | undefined {
  const header = ctx.get('Last-Event-ID');
  if (header !== '') return header;
  const query = ctx.query.lastEventId;
  if (query === undefined) return undefined;
  if (typeof query !== 'string') throw new ProblemError('invalid_position', 'lastEventId must be given once', { field: 'lastEventId' });
  return query;
}

function readSince(ctx: Context): LogPosition | null {
  const token = readLastEventId(ctx);
  if (token === undefined) return null;
  try {
    return toPosition(token.trim());
  } catch (error) {
    throw new ProblemError('invalid_position', `Last-Event-ID: ${(error as Error).message}`, { field: 'Last-Event-ID' });
  }
}

export function changesRoutes(source: ChangesSource, { heartbeatMs = 15_000, statusEveryMs = 1000 }: ChangesOptions = {}) {
  const { feed, view } = source;
  const streams = new Map<EventStream, Map<number, number>>();
  // The same change goes to every client: its data is made once.
  const texts = new WeakMap<Change, string>();
  const dataOf = (change: Change): string => {
    let text = texts.get(change);
    if (text === undefined) {
      const { partition, offset, event, book, created } = change;
      text = JSON.stringify({ view, event, book, at: formatPosition(new Map([[partition, offset]])), created, ...source.describe(change) });
      texts.set(change, text);
    }
    return text;
  };
  const statusText = () => JSON.stringify({ view, ...source.status() });

  let lastStatus = '';
  const statusTimer = setInterval(() => {
    if (streams.size === 0) return;
    const text = statusText();
    if (text === lastStatus) return;
    lastStatus = text;
    for (const [stream, position] of streams) stream.send({ id: formatPosition(position), event: 'status', data: text });
  }, statusEveryMs);
  statusTimer.unref();

  const router = new Router();
  router.get('/changes', (ctx) => {
    const since = readSince(ctx);
    if (ctx.method === 'HEAD') return answerStreamHead(ctx);
    const snapshot = source.startedFrom?.();
    if (snapshot !== undefined && snapshot !== '') feed.forget(toPosition(snapshot));
    let position = new Map(since ?? toPosition(source.appliedPosition()));
    let unsubscribe = () => {};
    const stream = openEventStream(ctx, {
      heartbeatMs,
      onClose: () => {
        unsubscribe();
        streams.delete(stream);
      },
    });
    const send = (change: Change) => {
      position.set(change.partition, change.offset);
      stream.send({ id: formatPosition(position), data: dataOf(change) });
    };
    const subscription = feed.subscribe(since, send);
    unsubscribe = subscription.unsubscribe;
    if (subscription.missed) {
      position = toPosition(source.appliedPosition());
      stream.send({
        id: formatPosition(position),
        event: 'reload',
        data: JSON.stringify({ view, reason: 'changes after Last-Event-ID are no longer kept' }),
      });
    }
    stream.send({ id: formatPosition(position), event: 'status', data: statusText() });
    for (const change of subscription.backlog) send(change);
    if (!stream.closed) streams.set(stream, position);
  });

  return {
    router,
    /** Ends every stream: the service is stopping; clients reconnect elsewhere. */
    close(): void {
      clearInterval(statusTimer);
      for (const stream of [...streams.keys()]) stream.close();
    },
  };
}
