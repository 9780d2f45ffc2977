import { describe, expect, it } from 'vitest';
import { formatPosition, hasReached, offsetsBehind, parsePosition } from '../../bookshelf/app/log-position.js';

describe('log position token', () => {
  it('reads and writes <partition>:<offset> pairs', () => {
    const position = parsePosition('2:1041,0:7');
    expect([...position]).toEqual([
      [2, 1041],
      [0, 7],
    ]);
    expect(formatPosition(position)).toBe('0:7,2:1041');
  });

  it.each(['', '1', '1:', 'a:1', '1:2:3', '1:-4', '0:99999999999999999', '0:9999999999999999', ' 0:1', '0:1, 1:2', '0:1,'])(
    'refuses %j',
    (token) => {
      expect(() => parsePosition(token)).toThrow(/position|offset/);
    },
  );

  it('is reached once every named offset was processed', () => {
    const wanted = parsePosition('0:5,1:2');
    expect(hasReached(new Map([[0, 6]]), wanted)).toBe(false);
    expect(
      hasReached(
        new Map([
          [0, 6],
          [1, 2],
        ]),
        wanted,
      ),
    ).toBe(false);
    expect(
      hasReached(
        new Map([
          [0, 6],
          [1, 3],
        ]),
        wanted,
      ),
    ).toBe(true);
  });
});

describe('offsets behind the ends of the log', () => {
  const ends = [
    { partition: 0, low: 0, high: 100 },
    { partition: 1, low: 40, high: 50 },
    { partition: 2, low: 0, high: 0 },
  ];

  it('counts from where reading starts to each end', () => {
    expect(
      offsetsBehind(
        new Map([
          [0, 90],
          [1, 45],
          [2, 0],
        ]),
        ends,
      ),
    ).toBe(15);
  });

  it('counts a partition not named from its low end, and one read below its low end from there', () => {
    expect(offsetsBehind(new Map([[1, 3]]), ends)).toBe(110);
  });

  it('counts nothing for a partition read to its end or past it', () => {
    expect(
      offsetsBehind(
        new Map([
          [0, 100],
          [1, 60],
          [2, 0],
        ]),
        ends,
      ),
    ).toBe(0);
  });
});
