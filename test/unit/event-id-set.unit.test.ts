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

describe('event id set restored from its chunks', () => {
  const uuids = Array.from({ length: 10_000 }, () => randomUUID());
  const saved = () => {
    const ids = createEventIdSet();
    for (const id of [...uuids, 'bookshelf:2:41', 'e-1']) ids.add(id);
    return [...ids.chunks()];
  };
  const restored = (chunks: unknown[]) => {
    const ids = createEventIdSet();
    for (const chunk of chunks) ids.restore(chunk);
    return ids;
  };
  /** Each id a snapshot's chunks hold, UUIDs as 32 hex digits, sorted: the chunks' order and grouping may differ. */
  const everyId = (chunks: ReturnType<typeof saved>) =>
    chunks
      .flatMap((chunk) =>
        chunk.kind === 'applied-ids' ? chunk.items : (Buffer.from(chunk.items[0], 'base64').toString('hex').match(/.{32}/g) ?? []),
      )
      .sort();

  it('knows every id it was given, and says a new one is new', () => {
    const ids = restored(saved());
    expect(ids.size).toBe(10_002);
    for (const id of [...uuids, 'bookshelf:2:41', 'e-1']) expect(ids.has(id)).toBe(true);
    expect(ids.add(uuids[123]!)).toBe(false);
    expect(ids.add(randomUUID())).toBe(true);
    expect(ids.size).toBe(10_003);
  });

  it('gives back the same ids, whether or not it was asked anything since', () => {
    const chunks = saved();
    const untouched = restored(chunks);
    const asked = restored(chunks);
    expect(asked.has(uuids[0]!)).toBe(true);
    expect(everyId([...untouched.chunks()])).toEqual(everyId(chunks));
    expect(everyId([...asked.chunks()])).toEqual(everyId(chunks));
    expect(untouched.size).toBe(asked.size);
  });

  it('refuses a chunk of packed ids of a ragged length', () => {
    expect(() => restored([{ kind: 'applied-uuids', items: [Buffer.alloc(20).toString('base64')] }])).toThrow(/ragged/);
  });
});
