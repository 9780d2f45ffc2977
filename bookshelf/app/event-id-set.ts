/**
 * The ids of the events applied so far, to apply each once. Ids in the canonical UUID form
 * (what the aggregate writes) are kept as 16 bytes in an open-addressing table outside the
 * JavaScript heap: a million of them cost ~40 MB less than strings in a Set, and nothing for
 * the garbage collector to walk. Any other id is kept as it is, in a Set.
 */
const WORDS = 4;

export interface EventIdSet {
  /** Adds `id`; false when it was there already. */
  add(id: string): boolean;
  has(id: string): boolean;
  readonly size: number;
  /** Every id, for a snapshot: UUIDs packed 16 bytes each (base64), the rest as they are. */
  chunks(): Generator<EventIdChunk>;
  /** Adds the ids of one chunk that `chunks()` gave; throws on anything else. */
  restore(chunk: unknown): void;
}

export type EventIdChunk = { kind: 'applied-uuids'; items: [string] } | { kind: 'applied-ids'; items: string[] };

/** Ids per chunk. */
const PER_CHUNK = 4096;

export function createEventIdSet(initialCapacity = 1 << 12): EventIdSet {
  let capacity = initialCapacity;
  let keys = new Int32Array(capacity * WORDS);
  let used = new Uint8Array(capacity);
  let compact = 0;
  const others = new Set<string>();
  const word = new Int32Array(WORDS);
  /**
   * Restored UUIDs, checked but not yet in the table: they are put there at the first `add` or `has`, so that a
   * restart with nothing to apply (and a snapshot written again before any event) never places a million ids.
   */
  let pending: Int32Array[] = [];
  let pendingIds = 0;

  /** The slot of the id whose words are `w0`–`w3`: where it is (as -1 - slot), or the free slot where it goes. */
  function slotOf(w0: number, w1: number, w2: number, w3: number): number {
    const mask = capacity - 1;
    let slot = (Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ w3, 0xc2b2ae35) >>> 0) & mask;
    while (used[slot] === 1) {
      const at = slot * WORDS;
      if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3) return -1 - slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  function grow(): void {
    const oldKeys = keys;
    const oldUsed = used;
    capacity *= 2;
    keys = new Int32Array(capacity * WORDS);
    used = new Uint8Array(capacity);
    for (let slot = 0; slot < oldUsed.length; slot++) {
      if (oldUsed[slot] !== 1) continue;
      const at = slot * WORDS;
      const w0 = oldKeys[at]!;
      const w1 = oldKeys[at + 1]!;
      const w2 = oldKeys[at + 2]!;
      const w3 = oldKeys[at + 3]!;
      store(slotOf(w0, w1, w2, w3), w0, w1, w2, w3);
    }
  }

  // Word by word: TypedArray.set costs more than the four writes.
  function store(slot: number, w0: number, w1: number, w2: number, w3: number): void {
    const at = slot * WORDS;
    keys[at] = w0;
    keys[at + 1] = w1;
    keys[at + 2] = w2;
    keys[at + 3] = w3;
    used[slot] = 1;
  }

  function place(packed: Int32Array): void {
    // Room for the whole chunk first: one growth rather than one per doubling on the way.
    while ((compact + packed.length / WORDS) * 4 > capacity * 3) grow();
    for (let at = 0; at < packed.length; at += WORDS) {
      const w0 = packed[at]!;
      const w1 = packed[at + 1]!;
      const w2 = packed[at + 2]!;
      const w3 = packed[at + 3]!;
      const slot = slotOf(w0, w1, w2, w3);
      if (slot < 0) continue;
      store(slot, w0, w1, w2, w3);
      compact++;
    }
  }

  function settle(): void {
    if (pending.length === 0) return;
    const restored = pending;
    pending = [];
    pendingIds = 0;
    for (const packed of restored) place(packed);
  }

  const packedChunk = (packed: Int32Array, count: number): EventIdChunk => ({
    kind: 'applied-uuids',
    items: [Buffer.from(packed.buffer, packed.byteOffset, count * WORDS * 4).toString('base64')],
  });

  return {
    add(id: string): boolean {
      settle();
      if (!readUuid(id, word)) {
        if (others.has(id)) return false;
        others.add(id);
        return true;
      }
      const slot = slotOf(word[0]!, word[1]!, word[2]!, word[3]!);
      if (slot < 0) return false;
      store(slot, word[0]!, word[1]!, word[2]!, word[3]!);
      if (++compact * 4 > capacity * 3) grow();
      return true;
    },
    has(id: string): boolean {
      settle();
      if (!readUuid(id, word)) return others.has(id);
      return slotOf(word[0]!, word[1]!, word[2]!, word[3]!) < 0;
    },
    get size() {
      return compact + pendingIds + others.size;
    },
    *chunks(): Generator<EventIdChunk> {
      // Ids still as restored are written as they came: a snapshot keeps them either way.
      for (const restored of pending) yield packedChunk(restored, restored.length / WORDS);
      const packed = new Int32Array(PER_CHUNK * WORDS);
      let count = 0;
      for (let slot = 0; slot < used.length; slot++) {
        if (used[slot] !== 1) continue;
        // Word by word: a subarray per id would make a million objects for a million ids.
        for (let w = 0; w < WORDS; w++) packed[count * WORDS + w] = keys[slot * WORDS + w]!;
        if (++count === PER_CHUNK) {
          yield packedChunk(packed, count);
          count = 0;
        }
      }
      if (count > 0) yield packedChunk(packed, count);
      let ids: string[] = [];
      for (const id of others) {
        ids.push(id);
        if (ids.length === PER_CHUNK) {
          yield { kind: 'applied-ids', items: ids };
          ids = [];
        }
      }
      if (ids.length > 0) yield { kind: 'applied-ids', items: ids };
    },
    restore(chunk: unknown): void {
      const { kind, items } = (chunk ?? {}) as { kind?: unknown; items?: unknown };
      if (!Array.isArray(items)) throw new Error('an event id chunk has no items');
      if (kind === 'applied-ids') {
        for (const id of items) {
          if (typeof id !== 'string') throw new Error('an event id is not a string');
          others.add(id);
        }
        return;
      }
      if (kind !== 'applied-uuids' || typeof items[0] !== 'string') throw new Error('an event id chunk is of no known kind');
      // Decoded straight into memory of its own, aligned for the words.
      const text = items[0];
      const memory = new ArrayBuffer(Buffer.byteLength(text, 'base64'));
      const length = Buffer.from(memory).write(text, 'base64');
      if (length % (WORDS * 4) !== 0) throw new Error('packed event ids have a ragged length');
      const packed = new Int32Array(memory, 0, length / 4);
      pending.push(packed);
      pendingIds += packed.length / WORDS;
    },
  };
}

/** The value of each lower-case hex digit by character code, -1 for any other character. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/** Reads a lower-case `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` into four 32-bit words; false for anything else. */
function readUuid(id: string, into: Int32Array): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45)
    return false;
  // A -1 from any digit makes `bad` negative.
  let bad = 0;
  for (let w = 0, at = 0; w < 4; w++) {
    let value = 0;
    for (let n = 0; n < 8; n++, at++) {
      if (at === 8 || at === 13 || at === 18 || at === 23) at++;
      const code = id.charCodeAt(at);
      const digit = code < 128 ? HEX[code]! : -1;
      bad |= digit;
      value = (value << 4) | digit;
    }
    into[w] = value;
  }
  return bad >= 0;
}
