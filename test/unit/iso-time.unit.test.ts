import { describe, expect, it } from 'vitest';
import { isoMillis } from '../../bookshelf/domain/iso-time.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const byDateParse = (text: string): number => (ISO_DATE.test(text) ? Date.parse(text) : Number.NaN);
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

describe('ISO times', () => {
  it('reads the canonical form exactly as Date.parse does, edge values included', () => {
    for (const year of [0, 99, 100, 1970, 2026, 9999])
      for (const month of [0, 1, 2, 12, 13])
        for (const day of [0, 1, 29, 30, 31, 32])
          for (const [hour, minute, second] of [
            [0, 0, 0],
            [23, 59, 59],
            [24, 0, 0],
            [12, 60, 0],
            [12, 0, 60],
          ] as const) {
            const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.123Z`;
            expect(isoMillis(text), text).toEqual(byDateParse(text));
          }
  });

  it.each([
    '2026-11-22',
    '2026-11-22T10:00Z',
    '2026-11-22T10:00:00+02:00',
    '2026-11-22T10:00:00.5Z',
    'yesterday',
    '2026-11-22T10:00:00.000z',
    '2026-1a-22T10:00:00.000Z',
    '',
  ])('reads %j as Date.parse does after the ISO check', (text) => expect(isoMillis(text)).toEqual(byDateParse(text)));
});
