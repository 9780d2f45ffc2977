/**
 * A Map whose first entries may come from a snapshot still in its packed form: each entry is built the first time it
 * is asked for, so that a restart does not rebuild half a million objects (and collect their garbage) before it
 * answers. Keys are found through a hash table in typed arrays; entries added later live in the Map itself.
 */

/** Packed entries, in the order they had: the key of each, found by hash, and the value built on demand. */
export interface PackedEntries<V> {
  readonly size: number;
  keyAt(index: number): string;
  /** The index of `key`, or -1. */
  find(key: string): number;
  /** A new value for the entry; called at most once per entry. */
  valueAt(index: number): V;
}

/** Per entry, 0 while still packed. */
const BUILT = 1;
const GONE = 2;

export class SegmentMap<V> extends Map<string, V> {
  #packed: PackedEntries<V> | undefined;
  /** Per packed entry: still packed, built (in `#built`) or deleted. */
  #state = new Uint8Array(0);
  #built = new Map<number, V>();
  #live = 0;
  /** The last key `get` found in neither part; the packed keys change only when entries are packed. */
  #missed: string | undefined;

  /** Puts packed entries in front of an empty map. */
  restorePacked(packed: PackedEntries<V>): void {
    if (super.size > 0 || this.#packed !== undefined) throw new Error('packed entries go into an empty map');
    this.#packed = packed;
    this.#missed = undefined;
    this.#state = new Uint8Array(packed.size);
    this.#live = packed.size;
  }

  /** Entries set since the map was restored or last packed, held as they are. */
  get unpackedSize(): number {
    return super.size;
  }

  /**
   * Moves the entries set since the last packing behind the packed ones, in their order: `pack` is given them and
   * returns the packed entries grown by exactly these (the same object, or a new one when there were none). A key
   * deleted from the packed entries must not be set again before this (the packed table would hold it twice).
   */
  packUnpacked(pack: (packed: PackedEntries<V> | undefined, keys: string[], values: V[]) => PackedEntries<V>): void {
    const keys = [...super.keys()];
    const before = this.#packed?.size ?? 0;
    const packed = pack(this.#packed, keys, [...super.values()]);
    if (packed.size !== before + keys.length) throw new Error('packing must add exactly the unpacked entries');
    if (packed.size > this.#state.length) {
      // Room for as many again, so that packing often copies the states seldom.
      const state = new Uint8Array(Math.max(packed.size, this.#state.length * 2));
      state.set(this.#state);
      this.#state = state;
    }
    this.#packed = packed;
    this.#missed = undefined;
    this.#live += keys.length;
    super.clear();
  }

  #index(key: string): number {
    if (this.#packed === undefined) return -1;
    const index = this.#packed.find(key);
    return index >= 0 && this.#state[index] !== GONE ? index : -1;
  }

  #at(index: number): V {
    if (this.#state[index] === BUILT) return this.#built.get(index)!;
    const value = this.#packed!.valueAt(index);
    this.#built.set(index, value);
    this.#state[index] = BUILT;
    return value;
  }

  override get(key: string): V | undefined {
    const value = super.get(key);
    if (value !== undefined || this.#packed === undefined) return value;
    const index = this.#index(key);
    if (index >= 0) return this.#at(index);
    this.#missed = key;
    return undefined;
  }

  override has(key: string): boolean {
    return super.has(key) || this.#index(key) >= 0;
  }

  override set(key: string, value: V): this {
    // A key just looked for in vain is set next (a new entry): no second search of the packed entries.
    const index = key === this.#missed ? -1 : this.#index(key);
    if (index < 0) return super.set(key, value);
    this.#built.set(index, value);
    this.#state[index] = BUILT;
    return this;
  }

  override delete(key: string): boolean {
    if (super.delete(key)) return true;
    const index = this.#index(key);
    if (index < 0) return false;
    this.#state[index] = GONE;
    this.#built.delete(index);
    this.#live--;
    return true;
  }

  override clear(): void {
    super.clear();
    this.#packed = undefined;
    this.#state = new Uint8Array(0);
    this.#built.clear();
    this.#live = 0;
  }

  override get size(): number {
    return super.size + this.#live;
  }

  override entries(): MapIterator<[string, V]> {
    return this.#packed === undefined ? super.entries() : this.#all((key, value) => [key, value] as [string, V]);
  }

  override keys(): MapIterator<string> {
    return this.#packed === undefined ? super.keys() : this.#all((key) => key);
  }

  override values(): MapIterator<V> {
    return this.#packed === undefined ? super.values() : this.#all((_, value) => value);
  }

  override [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  /**
   * The values in their order, as `values()` gives them, but a packed one not built yet is built for the caller and
   * not kept (so its `valueAt` may be called again): a read of every value leaves no object behind.
   */
  *peekValues(): Generator<V, undefined> {
    const packed = this.#packed;
    if (packed !== undefined)
      for (let index = 0; index < packed.size; index++) {
        const state = this.#state[index];
        if (state !== GONE) yield state === BUILT ? this.#built.get(index)! : packed.valueAt(index);
      }
    yield* super.values();
    return undefined;
  }

  /** The packed entries put in front by `restorePacked`, while they are there. */
  get packedEntries(): PackedEntries<V> | undefined {
    return this.#packed;
  }

  /** Whether packed entries `first` to `first + length - 1` are all as restored: none built, replaced or deleted since. */
  untouched(first: number, length: number): boolean {
    for (let index = first; index < first + length; index++) if (this.#state[index] !== 0) return false;
    return this.#packed !== undefined && first + length <= this.#packed.size;
  }

  /**
   * Packed entry `index` (undefined when deleted); one still packed is built for the caller and not kept (`valueAt`
   * called again), so that a pass over all of them leaves no object per entry behind.
   */
  peekPacked(index: number): V | undefined {
    const state = this.#state[index];
    if (state === GONE || this.#packed === undefined) return undefined;
    return state === BUILT ? this.#built.get(index) : this.#packed.valueAt(index);
  }

  /** The entries added since the restore (all of them when nothing is packed). */
  added(): MapIterator<[string, V]> {
    return super.entries();
  }

  /** The packed entries in their order (each built as it is passed), then those added since. */
  *#all<T>(pick: (key: string, value: V) => T): MapIterator<T> {
    const packed = this.#packed!;
    for (let index = 0; index < packed.size; index++) {
      if (this.#state[index] === GONE) continue;
      yield pick(packed.keyAt(index), this.#at(index));
    }
    for (const [key, value] of super.entries()) yield pick(key, value);
    return undefined;
  }
}
