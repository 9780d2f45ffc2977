import type { Context, Middleware } from 'koa';
import { formatPosition, parsePosition, type LogPosition } from '../../app/log-position.js';
import { createJsonAnswer } from './json-answer.js';
import { ProblemError } from './problem.js';

export const POSITION_HEADER = 'X-Bookshelf-Position';
const DEFAULT_WAIT_MS = 2000;
const MAX_WAIT_MS = 10_000;

export interface PositionSource {
  waitFor(position: LogPosition, timeoutMs: number): Promise<boolean>;
  /** The token of what has been applied so far ('' before anything was). */
  appliedPosition(): string;
  /** Changes whenever the view changed (an event applied, a snapshot restored, a reset); not when only the position moved. */
  version(): number;
  /** Why the position lies beyond the end of the log as Kafka reports it, or null when it may yet be reached. */
  beyondLog?(position: LogPosition): Promise<string | null>;
}

function readWait(raw: unknown): number {
  if (raw === undefined) return DEFAULT_WAIT_MS;
  if (typeof raw !== 'string' || !/^[0-9]{1,5}$/.test(raw) || Number(raw) > MAX_WAIT_MS) {
    throw new ProblemError('invalid_query', `wait must be a whole number of milliseconds from 0 to ${MAX_WAIT_MS}`, { field: 'wait' });
  }
  return Number(raw);
}

/** The tokens given in the header and in the query; given but empty or repeated is malformed. */
function readTokens(ctx: Context): string[] {
  const tokens: string[] = [];
  for (const raw of [ctx.headers[POSITION_HEADER.toLowerCase()], ctx.query.position]) {
    if (raw === undefined) continue;
    if (typeof raw !== 'string') throw new ProblemError('invalid_position', 'give one position token', { field: 'position' });
    tokens.push(raw);
  }
  return tokens;
}

/** One position from every token given: the furthest offset of each partition. */
function readPosition(tokens: string[]): LogPosition {
  const position = new Map<number, number>();
  for (const token of tokens) {
    try {
      for (const [partition, offset] of parsePosition(token)) position.set(partition, Math.max(offset, position.get(partition) ?? 0));
    } catch (error) {
      throw new ProblemError('invalid_position', (error as Error).message, { field: 'position' });
    }
  }
  return position;
}

export interface ReadPositions {
  /** For routers: waits for the position asked for, then stamps the answer of the routes after it. */
  middleware: Middleware;
  /**
   * For one route: the same around `answer` (the JSON text of the answer), written straight on the response, with no
   * promise when no position is asked for (the usual read).
   */
  serve: (ctx: Context, answer: (ctx: Context) => string) => void | Promise<void>;
}

/**
 * Read your writes: given a position (header or `?position=`), answer only once it is applied,
 * waiting up to `?wait=` ms. Every answer says which position it reflects, and carries a strong ETag: the position
 * at which the view last changed. Passing a commit marker, an aborted write or a rejected line moves the position and
 * keeps the tag, so `If-None-Match` still gets 304 for the same body. Equal tags mean equal bodies, on any instance:
 * a view tagged with a position holds the events up to it and no later one.
 */
export function readPositions(source: PositionSource): ReadPositions {
  let taggedVersion: number | null = null;
  let tag = '';
  const headerName = POSITION_HEADER.toLowerCase();
  // Only a header or a query string can ask for a position or a wait: without either, nothing to parse.
  // (Read from Node's request itself: each of Koa's getters is a few calls deep, on every read.)
  const asks = (ctx: Context): boolean => ctx.req.url?.includes('?') === true || ctx.req.headers[headerName] !== undefined;

  const stamp = (ctx: Context): string => {
    const applied = source.appliedPosition();
    // Straight on the response: Koa's ctx.set costs as much again as the header itself.
    if (applied !== '') ctx.res.setHeader(POSITION_HEADER, applied);
    return applied;
  };
  // The position first served after a change of the view: later positions with no change of it keep that tag.
  const tagOf = (applied: string, version: number): string => {
    if (version !== taggedVersion) {
      taggedVersion = version;
      tag = `"${applied === '' ? 'empty' : applied}"`;
    }
    return tag;
  };
  const notModified = (ctx: Context, tag: string): boolean => {
    const ifNoneMatch = ctx.req.headers['if-none-match'];
    return ifNoneMatch !== undefined && noneMatchHas(ifNoneMatch, tag);
  };
  const tagAnswer = (ctx: Context, applied: string, version: number): void => {
    const method = ctx.req.method;
    if (ctx.res.statusCode !== 200 || (method !== 'GET' && method !== 'HEAD')) return;
    const tag = tagOf(applied, version);
    ctx.res.setHeader('ETag', tag);
    if (notModified(ctx, tag)) {
      ctx.status = 304;
      ctx.body = null;
    }
  };
  const writeJson = createJsonAnswer(POSITION_HEADER);
  const serveNow = (ctx: Context, answer: (ctx: Context) => string): void => {
    const applied = source.appliedPosition();
    const version = source.version();
    let json: string;
    try {
      json = answer(ctx);
    } catch (error) {
      // A refused read (a bad filter) says where the view stood too.
      stamp(ctx);
      throw error;
    }
    const tag = tagOf(applied, version);
    writeJson(ctx, json, applied, tag, notModified(ctx, tag));
  };

  return {
    async middleware(ctx, next) {
      if (asks(ctx)) await waitForAsked(ctx, source);
      const applied = stamp(ctx);
      const version = source.version();
      await next();
      tagAnswer(ctx, applied, version);
    },
    serve(ctx, answer) {
      if (asks(ctx)) return waitForAsked(ctx, source).then(() => serveNow(ctx, answer));
      serveNow(ctx, answer);
    },
  };
}

/** The same as a Koa middleware. */
export const readYourWrites = (source: PositionSource): Middleware => readPositions(source).middleware;

/** Answers only once the position asked for (if any) is applied, or refuses it. */
async function waitForAsked(ctx: Context, source: PositionSource): Promise<void> {
  const tokens = readTokens(ctx);
  const wait = readWait(ctx.query.wait);
  if (tokens.length === 0) return;
  const position = readPosition(tokens);
  const token = formatPosition(position);
  const beyond = await source.beyondLog?.(position);
  if (beyond)
    throw new ProblemError('position_beyond_log', `position ${token} is beyond the end of the log: ${beyond}`, { field: 'position' });
  if (!(await source.waitFor(position, wait))) {
    throw new ProblemError('not_caught_up', `position ${token} not applied after ${wait} ms`, { retryAfter: 1 });
  }
}

/** An entity tag, weak or strong, as RFC 9110 writes it: its quotes may hold commas (a position of several partitions). */
const ENTITY_TAG = /(?:W\/)?"([^"]*)"/g;

/** If-None-Match compares weakly: `*`, or any listed tag with or without `W/`. */
export function noneMatchHas(header: string, tag: string): boolean {
  // What a polling client sends: the one tag it was given, as it was given.
  if (header === tag) return true;
  if (header.trim() === '*') return true;
  for (const [, opaque] of header.matchAll(ENTITY_TAG)) if (`"${opaque}"` === tag) return true;
  return false;
}
