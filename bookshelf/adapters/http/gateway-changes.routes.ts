/**
 * GET /bookshelf/changes: the views' change streams merged into one. Each view is followed on one passing
 * instance; when that instance goes away the stream moves to another and resumes from the last id it got.
 */
import Router from '@koa/router';
import type { Balancer, Endpoint } from '../../app/balancer.js';
import { formatMergedEventId, parseMergedEventId, type MergedEventId } from '../../app/merged-event-id.js';
import { readLastEventId } from './changes.routes.js';
import { followEventStream, type FollowedStream } from './event-stream-client.js';
import { openEventStream, type EventStream } from './event-stream.js';
import { ConnectFailedError } from './proxy.js';
import { ProblemError } from './problem.js';

export interface GatewayChangesOptions {
  balancer: Balancer<Endpoint>;
  /** The views to merge: the name they go by in events and ids → their Consul service name. */
  views: Record<string, string>;
  heartbeatMs?: number;
  /** Longer than a view's heartbeat: silence this long means the instance is gone. */
  idleTimeoutMs?: number;
  onEject?: (service: string, instance: Endpoint, error: Error) => void;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function gatewayChangesRoutes({ balancer, views, heartbeatMs = 15_000, idleTimeoutMs = 35_000, onEject }: GatewayChangesOptions) {
  const clients = new Set<EventStream>();
  const names = Object.keys(views);

  const router = new Router();
  router.get('/bookshelf/changes', (ctx) => {
    let tokens: MergedEventId;
    try {
      tokens = parseMergedEventId(readLastEventId(ctx) ?? '', names);
    } catch (error) {
      throw new ProblemError('invalid_position', `Last-Event-ID: ${(error as Error).message}`, { field: 'Last-Event-ID' });
    }
    const authorization = ctx.get('authorization');
    const followed = new Set<FollowedStream>();
    const stream = openEventStream(ctx, {
      heartbeatMs,
      onClose: () => {
        clients.delete(stream);
        for (const upstream of followed) upstream.close();
      },
    });
    clients.add(stream);

    const follow = async (view: string, service: string) => {
      let connected = false;
      let failures = 0;
      const lost = (reason: string) => {
        if (connected || failures === 1) stream.send({ id: formatMergedEventId(tokens), event: 'status', data: JSON.stringify({ view, connected: false, reason }) });
        connected = false;
      };
      while (!stream.closed) {
        const instance = balancer.candidates(service)[0];
        if (instance === undefined) {
          failures++;
          lost(`no passing instance of ${service}`);
          await pause(Math.min(2000, 250 * failures));
          continue;
        }
        const upstream = followEventStream(instance, {
          path: '/changes',
          ...(tokens[view] !== undefined && { lastEventId: tokens[view] }),
          ...(authorization !== '' && { headers: { authorization } }),
          idleTimeoutMs,
          onEvent: (event) => {
            connected = true;
            failures = 0;
            if (event.id !== undefined) tokens[view] = event.id;
            stream.send({ id: formatMergedEventId(tokens), ...(event.event !== undefined && { event: event.event }), data: event.data });
          },
        });
        followed.add(upstream);
        let reason = `${instance.id} ended the stream`;
        try {
          await upstream.done;
        } catch (error) {
          reason = `${instance.id}: ${(error as Error).message}`;
          if (error instanceof ConnectFailedError) {
            balancer.eject(instance);
            onEject?.(service, instance, error);
          }
        }
        followed.delete(upstream);
        if (stream.closed) break;
        failures++;
        lost(reason);
        // The first retry at once (another instance is likely there), then slower.
        if (failures > 1) await pause(Math.min(2000, 250 * 2 ** (failures - 2)));
      }
    };
    for (const [view, service] of Object.entries(views)) void follow(view, service);
  });

  return {
    router,
    /** Ends every client's stream: the gateway is stopping. */
    close(): void {
      for (const client of [...clients]) client.close();
    },
  };
}
