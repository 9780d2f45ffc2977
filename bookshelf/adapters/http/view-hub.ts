/**
 * One view's changes, followed once by the gateway and shared by every client that is up to date with it,
 * with a ring of recent changes so that a client resuming from a recent id is served from here.
 */
import { createChangeFeed, type Subscription } from '../../app/change-feed.js';
import { parsePosition, type LogPosition } from '../../app/log-position.js';
import type { UpstreamEvent } from './event-stream-client.js';
import { followView, type ViewFollowerOptions } from './view-follower.js';

export interface HubChange {
  partition: number;
  offset: number;
  /** The view's position token after it. */
  token: string;
  data: string;
}

export interface HubListener {
  change(change: HubChange): void;
  /** A status event of the view, or of the gateway about the view. */
  status(data: string): void;
  /** The view lost what came after the hub's id: every client reloads. */
  reload(data: string): void;
}

const toPosition = (token: string): LogPosition => (token === '' ? new Map() : parsePosition(token));
const AT = /"at":"(\d+):(\d+)"/;

export function createViewHub(
  view: string,
  options: Omit<ViewFollowerOptions, 'onEvent' | 'onLost' | 'startToken'> & { capacity?: number },
) {
  const feed = createChangeFeed<HubChange>({ capacity: options.capacity ?? 10_000 });
  const listeners = new Set<HubListener>();
  let token: string | undefined;
  let connected = false;
  let lastStatus: string | undefined;

  const onEvent = (event: UpstreamEvent) => {
    if (event.id === undefined) return;
    if (token === undefined || event.event === 'reload') {
      // What came before the first id (or a reload) was never seen here.
      feed.forget(toPosition(event.id));
    }
    token = event.id;
    connected = true;
    if (event.event === 'status') lastStatus = event.data;
    if (event.event === 'status') for (const listener of listeners) listener.status(event.data);
    else if (event.event === 'reload') for (const listener of listeners) listener.reload(event.data);
    else if (event.event === undefined || event.event === 'message') {
      const at = AT.exec(event.data);
      if (at) feed.publish({ partition: Number(at[1]), offset: Number(at[2]), token: event.id, data: event.data });
    }
  };
  const follower = followView({
    ...options,
    onEvent,
    onLost: (reason, wasConnected) => {
      connected = false;
      if (!wasConnected) return;
      const data = JSON.stringify({ view, connected: false, reason });
      for (const listener of listeners) listener.status(data);
    },
  });

  return {
    view,
    /** True while the hub follows an instance: only then can it take clients. */
    live: (): boolean => connected && token !== undefined,
    token: (): string | undefined => token,
    /** The view's latest status event, for a client that joins. */
    lastStatus: (): string | undefined => lastStatus,
    /** Null position: from now. Missed: the client's position is older than what the hub keeps. */
    subscribe(since: LogPosition | null, listener: HubListener): Subscription<HubChange> {
      const subscription = feed.subscribe(since, (change) => listener.change(change));
      if (subscription.missed) {
        subscription.unsubscribe();
        return subscription;
      }
      listeners.add(listener);
      return {
        ...subscription,
        unsubscribe: () => {
          subscription.unsubscribe();
          listeners.delete(listener);
        },
      };
    },
    close: follower.close,
  };
}

export type ViewHub = ReturnType<typeof createViewHub>;
