/**
 * A read's JSON answer written straight on Node's response: its header block and body bytes are made once per
 * body and position, not for every request (Koa's setters look up the MIME type, measure the body and check each
 * header again every time).
 */
import type { Context } from 'koa';

interface Prepared {
  applied: string;
  tag: string;
  /** Flat [name, value, …] lists, as `res.writeHead` takes them. */
  ok: string[];
  notModified: string[];
  body: Buffer;
}

/** The few answers a view keeps ready: one per JSON text (a route's, or a filter's), while its position holds. */
const KEPT = 16;

/** Answers `json` as of position `applied` ('' before anything was applied: no position header) with its `tag`, or 304. */
export type JsonAnswer = (ctx: Context, json: string, applied: string, tag: string, notModified: boolean) => void;

export function createJsonAnswer(positionHeader: string): JsonAnswer {
  // Keyed by the text itself: the reader hands out the same string until the view changes, so a lookup hashes nothing.
  const prepared = new Map<string, Prepared>();

  const prepare = (json: string, applied: string, tag: string): Prepared => {
    const body = Buffer.from(json, 'utf8');
    const stamp = applied === '' ? [] : [positionHeader, applied];
    const answer = {
      applied,
      tag,
      ok: [...stamp, 'Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(body.length), 'ETag', tag],
      notModified: [...stamp, 'ETag', tag],
      body,
    };
    if (prepared.size >= KEPT) prepared.clear();
    prepared.set(json, answer);
    return answer;
  };

  return (ctx, json, applied, tag, notModified) => {
    let answer = prepared.get(json);
    if (answer === undefined || answer.applied !== applied || answer.tag !== tag) answer = prepare(json, applied, tag);
    // Koa leaves the response to us; its status (for the metrics) is what writeHead sets.
    ctx.respond = false;
    const res = ctx.res;
    if (notModified) {
      res.writeHead(304, answer.notModified);
      res.end();
    } else {
      res.writeHead(200, answer.ok);
      res.end(ctx.req.method === 'HEAD' ? undefined : answer.body);
    }
  };
}
