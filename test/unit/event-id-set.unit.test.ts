import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventIdSet } from '../../bookshelf/app/event-id-set.js';

describe('event id set', () => {
  it('says an id is new once, whatever its form', () => {
    const ids = createEventIdSet();
    for (const id of ['6f1c0d2e-1b2c-4d3e-8f90-a1b2c3d4e5f6', 'bookshelf:2:41', '6F1C0D2E-1B2C-4D3E-8F90-A1B2C3D4E5F6', 'e-1']) {
      expect(ids.add(id)).toBe(true);
      expect(ids.add(id)).toBe(false);
    }
    expect(ids.size).toBe(4);
  });

  it('keeps telling apart ids that differ in one hex digit, as it grows', () => {
    const ids = createEventIdSet(4);
    const all = Array.from({ length: 20_000 }, () => randomUUID());
    for (const id of all) expect(ids.add(id)).toBe(true);
    for (const id of all) expect(ids.add(id)).toBe(false);
    const base = '00000000-0000-4000-8000-000000000000';
    for (let i = 0; i < 32; i++) {
      const at = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35][
        i
      ]!;
      expect(ids.add(`${base.slice(0, at)}f${base.slice(at + 1)}`)).toBe(true);
    }
    expect(ids.add(base)).toBe(true);
    expect(ids.size).toBe(20_000 + 33);
  });
});
