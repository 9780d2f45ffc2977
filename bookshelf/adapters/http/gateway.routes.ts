/** The public REST API: each route goes to a passing instance of the service behind it. */
import Router, { type RouterContext } from '@koa/router';
import type { Context } from 'koa';
import { UnavailableError } from '../../app/errors.js';
import { formatPosition, parsePosition } from '../../app/log-position.js';
import type { Balancer, Endpoint } from '../../app/balancer.js';
import { newBookIdOf } from './book-requests.js';
import { ConnectFailedError, UpstreamTimeoutError, type Proxy } from './proxy.js';
import { ProblemError } from './problem.js';

/** The Consul names of the services behind the gateway. */
export interface GatewayTargets {
  books: string;
  booklist: string;
  lastreadbooks: string;
}

export interface GatewayOptions {
  balancer: Balancer<Endpoint>;
  proxy: Proxy;
  targets: GatewayTargets;
  /** Longer than a view's longest read-your-writes wait. */
  timeoutMs?: number;
  onEject?: (service: string, instance: Endpoint, error: Error) => void;
  /** How each request to an upstream instance ended: `2xx`…`5xx`, `connect_failed`, `timeout` or `failed`. */
  onUpstream?: (service: string, instance: Endpoint, outcome: string) => void;
  /** Ids of the instances of `service` that own the book's partition, when they can be known: they are tried first. */
  ownersOf?: (service: string, bookId: string) => ReadonlySet<string>;
}

// The bearer token goes along, so that the gateway and the services behind it can share one.
const FORWARDED_REQUEST = [
  'content-type',
  'accept',
  'authorization',
  'idempotency-key',
  'x-bookshelf-position',
  'x-request-id',
  'if-none-match',
];
const FORWARDED_RESPONSE = [
  'content-type',
  'x-bookshelf-position',
  'retry-after',
  'idempotent-replayed',
  'allow',
  'cache-control',
  'www-authenticate',
  'etag',
];

export function gatewayRoutes({ balancer, proxy, targets, timeoutMs = 12_000, onEject, onUpstream, ownersOf }: GatewayOptions): Router {
  const router = new Router();
  // The furthest position of every write the gateway passed on: its reads see at least that (read your writes).
  const written = new Map<number, number>();
  let writtenToken = '';

  function noteWritten(token: string | undefined): void {
    if (token === undefined) return;
    try {
      for (const [partition, offset] of parsePosition(token)) if (offset > (written.get(partition) ?? -1)) written.set(partition, offset);
      writtenToken = formatPosition(written);
    } catch {
      // not a token: nothing to remember
    }
  }

  /** The client's own token (as given, for the view to judge), or with the gateway's writes added. */
  function readPosition(given: string | undefined): string | undefined {
    if (writtenToken === '') return given;
    if (given === undefined) return writtenToken;
    try {
      const merged = new Map(written);
      for (const [partition, offset] of parsePosition(given)) merged.set(partition, Math.max(offset, merged.get(partition) ?? -1));
      return formatPosition(merged);
    } catch {
      return given;
    }
  }

  /** Round-robin, except that a command goes to the owner of its book's partition first. */
  const candidates = (name: string, bookId: string | undefined): Endpoint[] => {
    const all = balancer.candidates(name);
    if (bookId === undefined || !ownersOf) return all;
    const owners = ownersOf(name, bookId);
    return [...all.filter((i) => owners.has(i.id)), ...all.filter((i) => !owners.has(i.id))];
  };

  const to =
    (service: keyof GatewayTargets, upstreamPath: (ctx: RouterContext) => string, bookIdOf?: (ctx: RouterContext) => string | undefined) =>
    async (ctx: RouterContext) => {
      const name = targets[service];
      const headers: Record<string, string> = {};
      for (const header of FORWARDED_REQUEST) {
        // Given but empty still goes along: the service judges it.
        const value = ctx.headers[header];
        if (typeof value === 'string') headers[header] = value;
      }
      const reading = service !== 'books';
      if (reading) {
        const position = readPosition(headers['x-bookshelf-position']);
        if (position !== undefined) headers['x-bookshelf-position'] = position;
      }
      const rawBody = (ctx.request as { rawBody?: string }).rawBody;
      const body = rawBody !== undefined && rawBody !== '' ? rawBody : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const path = upstreamPath(ctx) + (ctx.querystring ? `?${ctx.querystring}` : '');

      for (const instance of candidates(name, bookIdOf?.(ctx))) {
        try {
          const answer = await proxy.forward(instance, {
            method: ctx.method,
            path,
            headers,
            ...(body !== undefined && { body }),
            timeoutMs,
          });
          onUpstream?.(name, instance, `${Math.floor(answer.status / 100)}xx`);
          ctx.status = answer.status;
          if (!reading && answer.status < 300) noteWritten(answer.headers['x-bookshelf-position']);
          for (const header of FORWARDED_RESPONSE) if (answer.headers[header] !== undefined) ctx.set(header, answer.headers[header]);
          const location = answer.headers.location;
          if (location !== undefined) ctx.set('Location', location.startsWith('/books/') ? `/bookshelf${location}` : location);
          ctx.set('X-Served-By', instance.id);
          if (answer.body.length > 0) ctx.body = answer.body;
          return;
        } catch (error) {
          onUpstream?.(
            name,
            instance,
            error instanceof ConnectFailedError ? 'connect_failed' : error instanceof UpstreamTimeoutError ? 'timeout' : 'failed',
          );
          if (error instanceof ConnectFailedError) {
            balancer.eject(instance);
            onEject?.(name, instance, error);
            continue;
          }
          if (error instanceof UpstreamTimeoutError) throw new ProblemError('upstream_timeout', error.message);
          throw new ProblemError('bad_gateway', `${name} failed: ${(error as Error).message}`);
        }
      }
      throw new UnavailableError('no_instance', `no passing instance of ${name}`, 1);
    };

  const id = (ctx: RouterContext) => encodeURIComponent(ctx.params.id!);
  const paramId = (ctx: RouterContext) => ctx.params.id;
  // The id a new book will have, as books makes it: the body's, or one from the Idempotency-Key.
  const bodyId = (ctx: Context) => newBookIdOf(ctx.request.body, ctx.get('Idempotency-Key') || undefined);
  router.post(
    '/bookshelf/books',
    to('books', () => '/books', bodyId),
  );
  router.get(
    '/bookshelf/books',
    to('booklist', () => '/'),
  );
  router.get(
    '/bookshelf/books/last/read',
    to('lastreadbooks', () => '/'),
  );
  router.get(
    '/bookshelf/books/:id',
    to('booklist', (ctx) => `/${id(ctx)}`),
  );
  router.post(
    '/bookshelf/books/:id/started',
    to('books', (ctx) => `/books/${id(ctx)}/started`, paramId),
  );
  router.post(
    '/bookshelf/books/:id/finished',
    to('books', (ctx) => `/books/${id(ctx)}/finished`, paramId),
  );
  router.put(
    '/bookshelf/books/:id/rating',
    to('books', (ctx) => `/books/${id(ctx)}/rating`, paramId),
  );
  router.delete(
    '/bookshelf/books/:id',
    to('books', (ctx) => `/books/${id(ctx)}`, paramId),
  );
  return router;
}
