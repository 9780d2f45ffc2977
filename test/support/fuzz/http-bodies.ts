/** Bodies for fuzzing the commands: books and ratings, almost right or far from it, up to and past the size limit. */
import { deepArray, deepObject, oddText, type Random } from '../fuzz-random.js';

const MAX_BODY = 64 * 1024;
const BOOK_FIELDS = ['id', 'title', 'author', 'type', 'year', 'isbn'];

/** A body that is a book, or almost one. */
function bookBody(random: Random, ids: string[]): unknown {
  const book: Record<string, unknown> = { title: oddText(random, random.int(1, 30)) };
  if (random.chance(0.6)) book.id = random.chance(0.9) ? random.pick(ids) : random.pick(['', 'a b', 'x'.repeat(201), 5, null, '漢字']);
  if (random.chance(0.4)) book.author = random.pick<unknown>([[{ name: 'A' }], 'A', [{ name: 'A' }, { name: 'B' }], [], null]);
  if (random.chance(0.2)) book.year = random.pick<unknown>(['1949', 1949, null]);
  if (random.chance(0.2)) book.type = 'novel';
  if (random.chance(0.1)) book.isbn = '9780000000000';
  if (random.chance(0.3)) {
    // One field wrong.
    const field = random.pick(BOOK_FIELDS);
    book[field] = random.pick<unknown>([
      5,
      1.5,
      true,
      {},
      [],
      [5],
      [{ name: 5 }],
      'x'.repeat(1001),
      Array.from({ length: 101 }, () => ({ name: 'a' })),
      ' ',
      '',
    ]);
  }
  if (random.chance(0.05)) book[random.pick(['extra', '__proto__', 'constructor', 'rating'])] = { x: 1 };
  if (random.chance(0.05)) delete book.title;
  return book;
}

export function body(random: Random, path: string, ids: string[]): { body?: Buffer; contentType?: string } {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const kind = random.weighted<string>([
    [40, 'book'],
    [15, 'rating'],
    [10, 'none'],
    [10, 'bad-json'],
    [8, 'wrong-type'],
    [4, 'deep'],
    [4, 'huge'],
    [3, 'boundary'],
    [6, 'encoding'],
  ]);
  const contentType = random.weighted<string | undefined>([
    [85, 'application/json'],
    [3, 'application/json; charset=utf-8'],
    [2, 'application/problem+json'],
    [2, 'text/plain'],
    [1, 'application/x-www-form-urlencoded'],
    [1, 'multipart/form-data; boundary=x'],
    [1, 'application/json; charset=utf-16'],
    [1, 'application/json; charset=nope'],
    [1, 'APPLICATION/JSON'],
    [1, ';;;'],
    [2, undefined],
  ]);
  switch (kind) {
    case 'book':
      return { body: json(bookBody(random, ids)), contentType };
    case 'rating':
      return { body: json({ rating: random.pick<unknown>([1, 3, 5, 0, 6, 2.5, '5', null, -1, 1e308, [5], { value: 5 }]) }), contentType };
    case 'none':
      return random.chance(0.5) ? {} : { body: Buffer.alloc(0), contentType };
    case 'bad-json':
      return {
        body: Buffer.from(
          random.pick([
            '{',
            '{"title":',
            "{'title':'x'}",
            '{"title":"x",}',
            '{"title":NaN}',
            '\ufeff{"title":"x"}',
            'null',
            'nul',
            '"just a string"',
            '[1,2',
            '{"title":"\\ud800"}',
            '{"title":"x"}{"title":"y"}',
            '{"title":"\u0000"}',
            random.bytes(random.int(1, 200)).toString('latin1'),
          ]),
        ),
        contentType,
      };
    case 'wrong-type':
      return { body: json(random.pick<unknown>([[], [bookBody(random, ids)], 5, 'x', true, null, {}, { rating: {} }])), contentType };
    case 'deep':
      return {
        body: Buffer.from(
          random.pick([
            deepArray(random.int(1000, 30_000)),
            deepObject(random.int(1000, 9000)),
            `{"title":"x","author":${deepArray(random.int(1000, 20_000))}}`,
            `{"title":${deepObject(random.int(1000, 9000))}}`,
            `{"rating":${deepArray(random.int(1000, 20_000), '5')}}`,
          ]),
        ),
        contentType,
      };
    case 'huge':
      return {
        body: Buffer.from(
          random.pick([
            `{"title":"${'h'.repeat(MAX_BODY + 10)}"}`,
            'x'.repeat(random.int(MAX_BODY + 1, 400_000)),
            `[${'1,'.repeat(MAX_BODY)}1]`,
          ]),
        ),
        contentType,
      };
    case 'boundary': {
      // Just under, at and just over 64 KiB.
      const size = MAX_BODY + random.int(-2, 1);
      const text = `{"title":"b","isbn":"${'9'.repeat(size - 23)}"}`;
      return { body: Buffer.from(text), contentType: 'application/json' };
    }
    default:
      return { body: json(path.endsWith('/rating') ? { rating: 4 } : bookBody(random, ids)), contentType };
  }
}
