import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { createJsonAnswer } from '../../bookshelf/adapters/http/json-answer.js';

interface Written {
  status: number;
  headers: Record<string, string>;
  body: string | undefined;
}

/** What a read answers, as Node's response was told it: status, header block and body. */
function answerOf(method: string, run: (ctx: Context) => void): Written & { respond: unknown } {
  const written: Written = { status: 0, headers: {}, body: undefined };
  const ctx = {
    respond: true,
    req: { method },
    res: {
      writeHead(status: number, list: string[]) {
        written.status = status;
        for (let i = 0; i < list.length; i += 2) written.headers[list[i]!] = list[i + 1]!;
      },
      end(body?: Buffer | string) {
        written.body = body === undefined ? undefined : body.toString();
      },
    },
  };
  run(ctx as unknown as Context);
  return { ...written, respond: ctx.respond };
}

describe('a JSON answer written straight on the response', () => {
  const json = '[{"id":"b1","title":"Dune"}]';

  it('answers 200 with the position, the type, the length, the tag and the body; Koa is left out', () => {
    const write = createJsonAnswer('X-Bookshelf-Position');
    const answer = answerOf('GET', (ctx) => write(ctx, json, '0:4,2:7', '"0:4,2:7"', false));
    expect(answer).toEqual({
      status: 200,
      headers: {
        'X-Bookshelf-Position': '0:4,2:7',
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(json.length),
        ETag: '"0:4,2:7"',
      },
      body: json,
      respond: false,
    });
  });

  it('answers HEAD with the same headers and no body, and 304 with the position and the tag only', () => {
    const write = createJsonAnswer('X-Bookshelf-Position');
    const get = answerOf('GET', (ctx) => write(ctx, json, '0:4', '"0:4"', false));
    const head = answerOf('HEAD', (ctx) => write(ctx, json, '0:4', '"0:4"', false));
    expect(head.headers).toEqual(get.headers);
    expect(head.body).toBeUndefined();
    const notModified = answerOf('GET', (ctx) => write(ctx, json, '0:4', '"0:4"', true));
    expect(notModified).toMatchObject({ status: 304, headers: { 'X-Bookshelf-Position': '0:4', ETag: '"0:4"' }, body: undefined });
    expect(Object.keys(notModified.headers)).toHaveLength(2);
  });

  it('when the view moved but the text did not, answers with the new position, never the header block kept before', () => {
    const write = createJsonAnswer('X-Bookshelf-Position');
    answerOf('GET', (ctx) => write(ctx, json, '0:4', '"0:4"', false));
    const moved = answerOf('GET', (ctx) => write(ctx, json, '0:5', '"0:5"', false));
    expect(moved.headers).toMatchObject({ 'X-Bookshelf-Position': '0:5', ETag: '"0:5"' });
    const back = answerOf('GET', (ctx) => write(ctx, `${json} `, '0:5', '"0:5"', false));
    expect(back.body).toBe(`${json} `);
  });

  it('says no position before anything was applied', () => {
    const write = createJsonAnswer('X-Bookshelf-Position');
    const answer = answerOf('GET', (ctx) => write(ctx, '[]', '', '"empty"', false));
    expect(answer.headers).toEqual({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '2', ETag: '"empty"' });
  });

  it('counts the bytes of a large answer, not its characters', () => {
    const write = createJsonAnswer('X-Bookshelf-Position');
    const large = JSON.stringify(['Élise '.repeat(20_000)]);
    const answer = answerOf('GET', (ctx) => write(ctx, large, '0:1', '"0:1"', false));
    expect(answer.headers['Content-Length']).toBe(String(Buffer.byteLength(large)));
    expect(answer.body).toBe(large);
  });
});
