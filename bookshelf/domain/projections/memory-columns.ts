/**
 * Values of many entries held in memory with next to no objects: strings joined end to end (or, when a column takes
 * few values, a table of them and one byte per entry), small numbers one byte each. A value is cut out when asked for.
 */
import { hashOf, hashString } from './packed-columns.js';
import type { KeyColumn } from './packed-entries.js';

/** A column taking at most this many values (null counted) is held as a table of them and a byte per entry. */
const TABLE_MAX = 255;

function tableOf(values: readonly (string | null)[]): Map<string | null, number> | undefined {
  const table = new Map<string | null, number>();
  let last: string | null | undefined;
  for (const value of values) {
    // Runs of one value (nulls, a status) are common: no lookup for them.
    if (value === last || table.has(value)) continue;
    last = value;
    if (table.size === TABLE_MAX) return undefined;
    table.set(value, table.size);
  }
  return table;
}

export class StringColumn implements KeyColumn {
  readonly length: number;
  readonly #table: (string | null)[] | undefined;
  readonly #index: Uint8Array;
  readonly #joined: string;
  /** Joined: where each value ends, or -1 - that place for null (a value starts where the one before it ends). */
  readonly #ends: Int32Array;

  constructor(values: readonly (string | null)[]) {
    this.length = values.length;
    const table = tableOf(values);
    if (table !== undefined) {
      this.#table = [...table.keys()];
      this.#index = new Uint8Array(values.length);
      for (let i = 0, last = values[0], index = table.get(last!)!; i < values.length; i++) {
        if (values[i] !== last) index = table.get((last = values[i]!))!;
        this.#index[i] = index;
      }
      this.#joined = '';
      this.#ends = new Int32Array(0);
      return;
    }
    this.#table = undefined;
    this.#index = new Uint8Array(0);
    this.#ends = new Int32Array(values.length);
    let end = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value === null) this.#ends[i] = -1 - end;
      else this.#ends[i] = end += value.length;
    }
    this.#joined = values.join('');
  }

  #start(i: number): number {
    if (i === 0) return 0;
    const end = this.#ends[i - 1]!;
    return end < 0 ? -1 - end : end;
  }

  at(i: number): string | null {
    if (this.#table !== undefined) return this.#table[this.#index[i]!]!;
    const end = this.#ends[i]!;
    return end < 0 ? null : this.#joined.slice(this.#start(i), end);
  }

  isNull(i: number): boolean {
    return this.#table !== undefined ? this.#table[this.#index[i]!] === null : this.#ends[i]! < 0;
  }

  /** As `hashString` gives it; null hashes as the empty string. */
  hash(i: number): number {
    if (this.#table !== undefined) return hashOf(this.#table[this.#index[i]!] ?? '');
    const end = this.#ends[i]!;
    return end < 0 ? hashOf('') : hashString(this.#joined, this.#start(i), end);
  }

  equals(i: number, text: string): boolean {
    if (this.#table !== undefined) return this.#table[this.#index[i]!] === text;
    const end = this.#ends[i]!;
    const start = this.#start(i);
    return end >= 0 && end - start === text.length && this.#joined.startsWith(text, start);
  }
}

/** Outside what a byte column holds: the Float64 form. */
const BYTE_NULL = 255;

/** Numbers or null: a byte each when they are all integers below 255, else eight (NaN for null). */
export class NumberColumn {
  readonly #values: Uint8Array | Float64Array;

  constructor(values: readonly (number | null)[]) {
    const small = values.every((value) => value === null || (Number.isInteger(value) && value >= 0 && value < BYTE_NULL));
    this.#values = small ? Uint8Array.from(values, (value) => value ?? BYTE_NULL) : Float64Array.from(values, (value) => value ?? NaN);
  }

  at(i: number): number | null {
    const value = this.#values[i]!;
    if (this.#values instanceof Uint8Array) return value === BYTE_NULL ? null : value;
    return Number.isNaN(value) ? null : value;
  }
}
