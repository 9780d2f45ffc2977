/**
 * GET /bookshelf/changes: the views' change streams merged into one. The gateway follows each view once (a hub)
 * and shares it among the clients that are up to date; a client resuming from further back than the hub keeps
 * gets a stream of its own from the view. Either way, when the instance behind a stream goes away the stream
 * moves to another one and resumes from the last id it got.
 */
import Router from '@koa/router';
import type { Endpoint } from '../../app/balancer.js';
import { covers } from '../../app/change-feed.js';
import { parsePosition, formatPosition, type LogPosition } from '../../app/log-position.js';
import { formatMergedEventId, parseMergedEventId, type MergedEventId } from '../../app/merged-event-id.js';
import { readLastEventId } from './changes.routes.js';
import { answerStreamHead, formatFrame, openEventStream, type EventStream } from './event-stream.js';
import { ProblemError } from './problem.js';
import { followView } from './view-follower.js';
import { createViewHub, type HubListener, type ViewHub } from './view-hub.js';

export interface GatewayChangesOptions {
  /** The passing instances of a service, as discovery knows them. */
  instances: (service: string) => Endpoint[];
  /** The views to merge: the name they go by in events and ids → their Consul service name. */
  views: Record<string, string>;
  /** What the gateway's own streams from the views send (the shared bearer token). */
  headers?: Record<string, string>;
  heartbeatMs?: number;
  /** Longer than a view's heartbeat: silence this long means the instance is gone. */
  idleTimeoutMs?: number;
}

const toPosition = (token: string): LogPosition => (token === '' ? new Map() : parsePosition(token));
const includesAll = (outer: LogPosition, inner: LogPosition): boolean =>
  [...inner].every(([partition, offset]) => covers(outer, { partition, offset }));
const highest = (a: LogPosition, b: LogPosition): string => {
  const merged = new Map(a);
  for (const [partition, offset] of b) merged.set(partition, Math.max(offset, merged.get(partition) ?? -1));
  return formatPosition(merged);
};

export function gatewayChangesRoutes({ instances, views, headers, heartbeatMs = 15_000, idleTimeoutMs = 35_000 }: GatewayChangesOptions) {
  const clients = new Set<EventStream>();
  const names = Object.keys(views);
  const hubs = new Map<string, ViewHub>(
    Object.entries(views).map(([view, service]) => [
      view,
      createViewHub(view, { service, instances, idleTimeoutMs, ...(headers && { headers }) }),
    ]),
  );

  // Clients that are up to date hold the same token strings: their id is made once, compared by each view's token.
  let idMade: { tokens: (string | undefined)[]; id: string } = { tokens: [], id: '' };
  const idOf = (tokens: MergedEventId): string => {
    if (!names.every((view, i) => tokens[view] === idMade.tokens[i])) {
      const ordered: MergedEventId = {};
      for (const view of names) if (tokens[view] !== undefined) ordered[view] = tokens[view];
      idMade = { tokens: names.map((view) => tokens[view]), id: formatMergedEventId(ordered) };
    }
    return idMade.id;
  };
  // Clients that are up to date get the same frame for a change: it is made once (the id and data decide it).
  let made = { id: '', event: undefined as string | undefined, data: '', text: '' };
  const frame = (id: string, event: string | undefined, data: string): string => {
    if (made.id !== id || made.event !== event || made.data !== data)
      made = { id, event, data, text: formatFrame({ id, ...(event !== undefined && { event }), data }) };
    return made.text;
  };

  const router = new Router();
  router.get('/bookshelf/changes', (ctx) => {
    let tokens: MergedEventId;
    try {
      tokens = parseMergedEventId(readLastEventId(ctx) ?? '', names);
    } catch (error) {
      throw new ProblemError('invalid_position', `Last-Event-ID: ${(error as Error).message}`, { field: 'Last-Event-ID' });
    }
    if (ctx.method === 'HEAD') return answerStreamHead(ctx);
    const authorization = ctx.get('authorization');
    const detach: (() => void)[] = [];
    const stream = openEventStream(ctx, {
      heartbeatMs,
      onClose: () => {
        clients.delete(stream);
        for (const step of detach.splice(0)) step();
      },
    });
    clients.add(stream);
    const send = (event: string | undefined, data: string) => stream.sendText(frame(idOf(tokens), event, data));

    /**
     * Serves the client from the hub when it can; false when its position is older than the hub keeps. `joining`: the
     * client comes from a stream of its own and has had the view's status already.
     */
    const fromHub = (view: string, hub: ViewHub, joining = false): boolean => {
      if (!hub.live()) return false;
      const start = tokens[view];
      const since = start === undefined ? null : toPosition(start);
      // A client further on than the hub (another gateway served it) keeps its offsets until the hub passes them.
      let ahead = since !== null && !includesAll(toPosition(hub.token() ?? ''), since);
      const listener: HubListener = {
        change(change) {
          if (ahead && since !== null) {
            const at = toPosition(change.token);
            tokens[view] = highest(since, at);
            ahead = !includesAll(at, since);
          } else tokens[view] = change.token;
          send(undefined, change.data);
        },
        status: (data) => send('status', data),
        reload(data) {
          tokens[view] = hub.token() ?? '';
          ahead = false;
          send('reload', data);
        },
      };
      const subscription = hub.subscribe(since, listener);
      if (subscription.missed) return false;
      detach.push(subscription.unsubscribe);
      if (since === null) tokens[view] = hub.token() ?? '';
      const status = hub.lastStatus();
      if (status !== undefined && !joining) send('status', status);
      for (const change of subscription.backlog) listener.change(change);
      return true;
    };

    /**
     * A stream of the client's own from the view, which keeps more than the hub (or the hub is not following yet),
     * until, at one of its events, the hub can serve the client: then the client joins the hub and its stream ends.
     */
    const fromView = (view: string, service: string) => {
      const hub = hubs.get(view)!;
      let moved = false;
      const joinHub = (): void => {
        if (!hub.live() || !fromHub(view, hub, true)) return;
        moved = true;
        follower.close();
      };
      const follower = followView({
        service,
        instances,
        ...(tokens[view] !== undefined && { startToken: tokens[view] }),
        ...(authorization !== '' && { headers: { authorization } }),
        idleTimeoutMs,
        onEvent: (event) => {
          // Events of the same chunk may still come after the move: the hub has them.
          if (moved) return;
          if (event.id !== undefined) tokens[view] = event.id;
          send(event.event, event.data);
          if (!stream.closed) joinHub();
        },
        onLost: (reason, wasConnected) => {
          if (wasConnected) send('status', JSON.stringify({ view, connected: false, reason }));
        },
      });
      detach.push(follower.close);
    };

    for (const [view, service] of Object.entries(views)) {
      if (stream.closed) break;
      if (!fromHub(view, hubs.get(view)!)) fromView(view, service);
    }
  });

  return {
    router,
    /** Per view, whether the gateway follows it now (`live`) or is looking for an instance (`connecting`). */
    state: (): Record<string, 'live' | 'connecting'> =>
      Object.fromEntries([...hubs].map(([view, hub]) => [view, hub.live() ? 'live' : 'connecting'])),
    /** Ends every client's stream and the gateway's own: the gateway is stopping. */
    close(): void {
      for (const client of [...clients]) client.close();
      for (const hub of hubs.values()) hub.close();
    },
  };
}
