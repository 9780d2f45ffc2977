/**
 * Follows one view's change stream on a passing instance, and when that instance goes away moves to another,
 * resuming from the last id it got: the gateway's way of surviving the loss of an instance.
 */
import type { Endpoint } from '../../app/balancer.js';
import { followEventStream, type FollowedStream, type UpstreamEvent } from './event-stream-client.js';
import { ConnectFailedError } from './proxy.js';

export interface ViewFollowerOptions {
  service: string;
  /** The passing instances of a service, as discovery knows them. */
  instances: (service: string) => Endpoint[];
  /** Where to start: the view's position token, or none for "from now". */
  startToken?: string;
  headers?: Record<string, string>;
  /** Silence this long (not even a heartbeat) means the instance is gone. */
  idleTimeoutMs: number;
  onEvent: (event: UpstreamEvent) => void;
  /** The stream was lost (or none could be opened); another attempt follows. */
  onLost: (reason: string, wasConnected: boolean) => void;
}

const UNREACHABLE_FOR_MS = 15_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function followView({ service, instances, startToken, headers, idleTimeoutMs, onEvent, onLost }: ViewFollowerOptions) {
  let token = startToken;
  // Instances this stream could not reach, left alone for a while; kept here, apart from the requests' balancer.
  const unreachable = new Map<string, number>();
  let turn = 0;
  const pick = (): Endpoint | undefined => {
    const now = Date.now();
    const usable = instances(service).filter((instance) => (unreachable.get(instance.id) ?? 0) <= now);
    return usable.length === 0 ? undefined : usable[turn++ % usable.length];
  };
  let closed = false;
  let current: FollowedStream | undefined;

  void (async () => {
    let failures = 0;
    let connected = false;
    while (!closed) {
      const instance = pick();
      if (instance === undefined) {
        failures++;
        onLost(`no passing instance of ${service}`, connected);
        connected = false;
        await pause(Math.min(2000, 250 * failures));
        continue;
      }
      current = followEventStream(instance, {
        path: '/changes',
        ...(token !== undefined && { lastEventId: token }),
        ...(headers && { headers }),
        idleTimeoutMs,
        onEvent: (event) => {
          connected = true;
          failures = 0;
          if (event.id !== undefined) token = event.id;
          onEvent(event);
        },
      });
      let reason = `${instance.id} ended the stream`;
      try {
        await current.done;
      } catch (error) {
        reason = `${instance.id}: ${(error as Error).message}`;
        if (error instanceof ConnectFailedError) {
          unreachable.set(instance.id, Date.now() + UNREACHABLE_FOR_MS);
        }
      }
      if (closed) break;
      failures++;
      onLost(reason, connected);
      connected = false;
      // The first retry at once (another instance is likely there), then slower.
      if (failures > 1) await pause(Math.min(2000, 250 * 2 ** (failures - 2)));
    }
  })();

  return {
    token: (): string | undefined => token,
    close: (): void => {
      closed = true;
      current?.close();
    },
  };
}

export type ViewFollower = ReturnType<typeof followView>;
