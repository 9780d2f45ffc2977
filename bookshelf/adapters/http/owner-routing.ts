/**
 * Sends a command for a book on a partition this instance does not own to the instance that does, once:
 * the hop is marked in a header, so a command is never forwarded twice. The client sees the owner's answer.
 */
import type { Context } from 'koa';
import { UnavailableError } from '../../app/errors.js';
import type { OwnershipState } from '../../app/partition-ownership.js';
import type { Proxy, Upstream } from './proxy.js';

export const FORWARDED_HEADER = 'x-bookshelf-forwarded-by';

const FORWARDED_REQUEST = ['content-type', 'accept', 'authorization', 'idempotency-key', 'x-request-id'];
const FORWARDED_RESPONSE = ['content-type', 'x-bookshelf-position', 'retry-after', 'idempotent-replayed', 'location'];

export interface OwnerRoutingOptions {
  selfId: () => string;
  /** The partition of a book id, or undefined while the topic's partition count is not known yet. */
  partitionOf: (id: string) => number | undefined;
  stateOf: (partition: number) => OwnershipState;
  /** False until the partitions of the first assignment are read and fenced: the instance is still starting. */
  started: () => boolean;
  /** True when this instance owns some partition: a new book without an id can be made here. */
  ownsAny: () => boolean;
  /** Other instances that say (in Consul) they own the partition; `undefined` asks for any that owns one. */
  owners: (partition: number | undefined) => Upstream[];
  proxy: Proxy;
  timeoutMs?: number;
}

/** Answers a command here (resolves false) or forwards it to the owner and copies its answer (resolves true). */
export type RouteToOwner = (ctx: Context, id: string | undefined) => Promise<boolean>;

export function ownerRouting({
  selfId,
  partitionOf,
  stateOf,
  started,
  ownsAny,
  owners,
  proxy,
  timeoutMs = 30_000,
}: OwnerRoutingOptions): RouteToOwner {
  const rebalancing = (detail: string) => new UnavailableError('rebalancing', detail, 1);

  async function forward(ctx: Context, to: Upstream): Promise<void> {
    const headers: Record<string, string> = { [FORWARDED_HEADER]: selfId() };
    for (const header of FORWARDED_REQUEST) {
      const value = ctx.get(header);
      if (value !== '') headers[header] = value;
    }
    const rawBody = (ctx.request as { rawBody?: string }).rawBody;
    const body = rawBody !== undefined && rawBody !== '' ? rawBody : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    let answer;
    try {
      answer = await proxy.forward(to, { method: ctx.method, path: ctx.url, headers, ...(body !== undefined && { body }), timeoutMs });
    } catch (error) {
      throw rebalancing(`the owner at ${to.address}:${to.port} did not answer: ${(error as Error).message}`);
    }
    ctx.status = answer.status;
    for (const header of FORWARDED_RESPONSE) if (answer.headers[header] !== undefined) ctx.set(header, answer.headers[header]);
    ctx.set('X-Served-By', answer.headers['x-served-by'] ?? `${to.address}:${to.port}`);
    if (answer.body.length > 0) ctx.body = answer.body;
  }

  return async (ctx, id) => {
    if (!started()) throw new UnavailableError('catching_up', 'still reading the log; try again shortly', 1);
    let partition: number | undefined;
    if (id === undefined) {
      if (ownsAny()) return false;
    } else {
      partition = partitionOf(id);
      if (partition === undefined) throw rebalancing('the topic’s partitions are not known yet');
      const state = stateOf(partition);
      if (state === 'owned') return false;
      if (state === 'catching_up') throw new UnavailableError('catching_up', `partition ${partition} is being read to its end`, 1);
    }
    const what = partition === undefined ? 'any partition' : `partition ${partition}`;
    if (ctx.get(FORWARDED_HEADER) !== '') throw rebalancing(`${what} has no owner here, and the request was forwarded once already`);
    const [owner] = owners(partition);
    if (owner === undefined) throw rebalancing(`no owner of ${what} is known`);
    await forward(ctx, owner);
    return true;
  };
}
