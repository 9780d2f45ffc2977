/** Paths for fuzzing `books` and `shelf`: the routes, odd ids, tricks on the router, queries and position tokens. */
import { oddText, type Random } from '../fuzz-random.js';
import type { Target } from './http-generators.js';

/** Every UTF-8 byte as %XX (a lone surrogate becomes U+FFFD first). */
const percentEncoded = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');

function oddId(random: Random): string {
  return random.pick([
    '',
    '%2e%2e',
    '..',
    '%2F',
    'a%2Fb',
    '%00',
    '%zz',
    '%',
    '%E0%A4%A',
    '%F0%9F%98%80',
    encodeURIComponent('漢字'),
    'x'.repeat(201),
    'x'.repeat(4000),
    '__proto__',
    'constructor',
    'a;b=c',
    'a,b',
    "'--",
    '%3Cscript%3E',
    '*',
    '@',
    '+',
    '%20',
  ]);
}

export function pathFor(random: Random, target: Target, ids: string[]): string {
  const id = random.chance(0.75) ? random.pick(ids) : oddId(random);
  const prefix = target === 'books' ? '/books' : '/bookshelf/books';
  const routes =
    target === 'books'
      ? [`${prefix}`, `${prefix}/${id}`, `${prefix}/${id}/started`, `${prefix}/${id}/finished`, `${prefix}/${id}/rating`]
      : [
          `${prefix}`,
          `${prefix}/${id}`,
          `${prefix}/${id}/started`,
          `${prefix}/${id}/finished`,
          `${prefix}/${id}/rating`,
          `${prefix}/last/read`,
          '/openapi.json',
          '/docs',
          '/services',
          '/bookshelf/changes',
        ];
  const common = ['/health', '/metrics', '/rejected', '/', '/nope'];
  const tricks = [
    `/${prefix}`,
    `${prefix}/`,
    `${prefix}//started`,
    `${prefix}/${id}/started/`,
    `${prefix}/${id}/STARTED`,
    prefix.toUpperCase(),
    `${prefix}/../health`,
    `${prefix}/%2e%2e/health`,
    `${prefix}/${id}/started/extra`,
    `/%zz`,
    `/${'a/'.repeat(500)}`,
    `/${'x'.repeat(8000)}`,
    `${prefix};jsessionid=1`,
    `${prefix}%00`,
    `${prefix}/${percentEncoded(oddText(random, 6))}`,
    '/docs/../../../etc/passwd',
    '/docs/%2e%2e/%2e%2e/etc/passwd',
  ];
  const path = random.weighted<string>([
    [70, random.pick(routes)],
    [10, random.pick(common)],
    [20, random.pick(tricks)],
  ]);
  return path + query(random);
}

/** A read-your-writes token; `unicode` adds one that only a query string can carry. */
export function positionToken(random: Random, unicode = false): { token: string; wellFormed: boolean } {
  if (random.chance(0.5)) return { token: random.pick(['0:0', '1:0,2:0', '0:999999999', '99:1', '0:1,2:3']), wellFormed: true };
  return {
    token: random.pick([
      '',
      'x',
      '0',
      ':1',
      '1:',
      '-1:0',
      '0:-1',
      '0:1:2',
      '1:99999999999999999',
      '0:1,,',
      ' ',
      'a'.repeat(300),
      '0:0;1:1',
      unicode ? '１:１' : '1:1x',
    ]),
    wellFormed: false,
  };
}

/** A change stream's position on the gateway: the views' tokens as it gives them (`booklist=…;lastreadbooks=…`), or not. */
export function lastEventId(random: Random): string {
  return random.pick([
    'booklist=0:1;lastreadbooks=1:0,2:3',
    'booklist=;lastreadbooks=',
    `booklist=${positionToken(random).token}`,
    'lastreadbooks=0:99999999',
    'nope=0:1',
    'booklist',
    'booklist=0:1;booklist=0:2',
    ';;',
    ' ',
    `booklist=${'9'.repeat(400)}:1`,
    'x'.repeat(5000),
  ]);
}

function query(random: Random): string {
  if (random.chance(0.7)) return '';
  const parts: string[] = [];
  for (let i = random.int(1, 3); i > 0; i--) {
    parts.push(
      random.pick([
        `status=${random.pick(['unread', 'reading', 'read', 'READ', '', 'x', '%zz'])}`,
        'status=read&status=unread',
        `wait=${random.pick(['0', '1', '-1', 'abc', '1e9', '1.5', '', '99999999999999999999'])}`,
        `position=${encodeURIComponent(positionToken(random, true).token)}`,
        `lastEventId=${encodeURIComponent(lastEventId(random))}`,
        'lastEventId=a&lastEventId=b',
        `${random.text(3)}=${random.text(3)}`,
        '%zz=%zz',
        'a[b][c]=d',
        '__proto__[x]=1',
        `${'q'.repeat(2000)}=1`,
      ]),
    );
  }
  return `?${parts.join('&')}`;
}

export function naturalMethod(random: Random, path: string): string | undefined {
  const bare = path.split('?')[0]!;
  if (/\/(started|finished)$/.test(bare)) return 'POST';
  if (/\/rating$/.test(bare)) return 'PUT';
  if (/^\/(bookshelf\/)?books$/.test(bare)) return random.pick(['POST', 'GET']);
  if (/^\/(bookshelf\/)?books\/[^/]+$/.test(bare)) return random.pick(['DELETE', 'GET']);
  if (/^\/(health|metrics|rejected|openapi\.json|docs|services|bookshelf\/books\/last\/read|bookshelf\/changes)$/.test(bare)) return 'GET';
  return undefined;
}
