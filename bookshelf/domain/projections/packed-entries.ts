/** Packed entries gathered chunk by chunk from a snapshot, their keys found through a hash table in typed arrays. */
import { hashOf } from './packed-columns.js';
import type { StringsReader } from './packed-column-readers.js';
import { SnapshotShapeError } from './snapshot-chunks.js';
import type { PackedEntries } from './segment-map.js';

/** What the table needs of a chunk's keys: a snapshot's column read back, or rows packed in memory. */
export type KeyColumn = Pick<StringsReader, 'length' | 'at' | 'isNull' | 'hash' | 'equals'>;

interface Chunk<V> {
  keys: KeyColumn;
  value(local: number): V;
}

/**
 * `add` only records each entry's chunk and hash; the table is filled at the first lookup after it, or at `seal()`.
 * A restore adds all its chunks and then makes the table once at its final size, rather than doubling it (and
 * placing every entry again) twenty times on the way to a million.
 */
export class ChunkedEntries<V> implements PackedEntries<V> {
  size = 0;
  #chunks: Chunk<V>[] = [];
  #chunkOf = new Int32Array(0);
  #localOf = new Int32Array(0);
  #hashes = new Int32Array(0);
  /** Entry index + 1 per slot, 0 for an empty slot. */
  #slots = new Int32Array(0);
  #mask = 0;
  /** Entries below this are in the table. */
  #placed = 0;

  /** Adds a chunk's entries: `keys` names them, `value` builds entry `local` of this chunk when asked. */
  add(keys: KeyColumn, value: (local: number) => V): void {
    const chunk = this.#chunks.length;
    this.#chunks.push({ keys, value });
    const first = this.size;
    const length = keys.length;
    if (first + length > this.#hashes.length) this.#reserve(Math.max(first + length, this.#hashes.length * 2));
    const chunkOf = this.#chunkOf;
    const localOf = this.#localOf;
    const hashes = this.#hashes;
    for (let local = 0; local < length; local++) {
      if (keys.isNull(local)) throw new SnapshotShapeError('a snapshot entry has no key');
      const index = first + local;
      chunkOf[index] = chunk;
      localOf[index] = local;
      hashes[index] = keys.hash(local);
    }
    this.size = first + length;
  }

  /** Puts every entry added since in the table; throws SnapshotShapeError on a key found twice. */
  seal(): void {
    if (this.#placed === this.size) return;
    if (this.size * 2 > this.#slots.length) {
      let capacity = 16;
      while (capacity < this.size * 2) capacity *= 2;
      this.#slots = new Int32Array(capacity);
      this.#mask = capacity - 1;
      for (let index = 0; index < this.#placed; index++) this.#place(index, false);
    }
    for (let index = this.#placed; index < this.size; index++) this.#place(index, true);
    this.#placed = this.size;
  }

  #reserve(length: number): void {
    const grown = (from: Int32Array) => {
      const to = new Int32Array(length);
      to.set(from.subarray(0, this.size));
      return to;
    };
    this.#hashes = grown(this.#hashes);
    this.#chunkOf = grown(this.#chunkOf);
    this.#localOf = grown(this.#localOf);
  }

  #place(index: number, check: boolean): void {
    const hashes = this.#hashes;
    const slots = this.#slots;
    const mask = this.#mask;
    const hash = hashes[index]!;
    let slot = hash & mask;
    for (let taken = slots[slot]!; taken !== 0; taken = slots[slot]!) {
      if (check && hashes[taken - 1] === hash && this.keyAt(taken - 1) === this.keyAt(index))
        throw new SnapshotShapeError('a snapshot holds a key twice');
      slot = (slot + 1) & mask;
    }
    slots[slot] = index + 1;
  }

  find(key: string): number {
    if (this.size === 0) return -1;
    this.seal();
    const hash = hashOf(key);
    for (let slot = hash & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const taken = this.#slots[slot]!;
      if (taken === 0) return -1;
      const index = taken - 1;
      if (this.#hashes[index] === hash && this.#chunks[this.#chunkOf[index]!]!.keys.equals(this.#localOf[index]!, key)) return index;
    }
  }

  keyAt(index: number): string {
    return this.#chunks[this.#chunkOf[index]!]!.keys.at(this.#localOf[index]!)!;
  }

  valueAt(index: number): V {
    return this.#chunks[this.#chunkOf[index]!]!.value(this.#localOf[index]!);
  }
}
