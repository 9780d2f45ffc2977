/**
 * A read's JSON answer written straight on Node's response: its header block (and, for a small answer, its bytes)
 * made once per body and position, not for every request (Koa's setters look up the MIME type, measure the body and
 * check each header again every time).
 */
import type { Context } from 'koa';

interface Prepared {
  tag: string;
  /** Flat [name, value, …] lists, as `res.writeHead` takes them. */
  ok: string[];
  notModified: string[];
  body: Buffer | string;
}

/** The few answers a view keeps ready at one position: one per JSON text (a route's, or a filter's). */
const KEPT = 16;
/** Larger answers are written from the text the reader keeps anyway, rather than kept a second time as bytes. */
const KEPT_AS_BYTES = 64 * 1024;

/** Answers `json` as of position `applied` ('' before anything was applied: no position header) with its `tag`, or 304. */
export type JsonAnswer = (ctx: Context, json: string, applied: string, tag: string, notModified: boolean) => void;

export function createJsonAnswer(positionHeader: string): JsonAnswer {
  // Keyed by the text itself: the reader hands out the same string until the view changes, so a lookup hashes nothing.
  // Only the answers of the current position are kept: no text the reader has let go stays alive here.
  const prepared = new Map<string, Prepared>();
  let preparedAt = '';

  const prepare = (json: string, applied: string, tag: string): Prepared => {
    const body = json.length <= KEPT_AS_BYTES ? Buffer.from(json, 'utf8') : json;
    const stamp = applied === '' ? [] : [positionHeader, applied];
    const answer = {
      tag,
      ok: [...stamp, 'Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'ETag', tag],
      notModified: [...stamp, 'ETag', tag],
      body,
    };
    if (prepared.size >= KEPT) prepared.clear();
    prepared.set(json, answer);
    return answer;
  };

  return (ctx, json, applied, tag, notModified) => {
    if (applied !== preparedAt) {
      prepared.clear();
      preparedAt = applied;
    }
    let answer = prepared.get(json);
    if (answer === undefined || answer.tag !== tag) answer = prepare(json, applied, tag);
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
