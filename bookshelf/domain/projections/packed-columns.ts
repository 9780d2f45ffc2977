/**
 * Columns of a snapshot chunk packed so that reading them back makes almost no objects: strings joined end to end
 * (or a table of the few values a column takes) with their lengths or indexes, and numbers, as base64 arrays of a
 * byte, an Int32 or a Float64 a value, whichever holds them all. Read back, the arrays stay in that form and a value
 * is cut out only when it is asked for.
 */
import { SnapshotShapeError, str } from './snapshot-chunks.js';

export type PackedStrings = ['joined', string, string] | ['table', (string | null)[], string];

/** A column with few distinct values (a status, a year) is kept as a table of them and an index per item. */
const TABLE_WHEN = 4;

const base64 = (array: Uint8Array | Int32Array | Float64Array): string =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');

function bytesBack(value: unknown): Buffer {
  return Buffer.from(str(value), 'base64');
}

/** Outside what one byte holds: the Int32 form. */
const BYTE_NULL = 255;
const INT_NULL = -(2 ** 31);

/**
 * Integers from -1 up as one byte each (value + 1) when they all fit, else four; read back, the byte length tells
 * which, so that the indexes and lengths of a column of short strings take a quarter of the room.
 */
export function packInts(values: readonly number[] | Int32Array): string {
  // Plain loops: every() and from() with a callback cost several times as much, for each column of each chunk.
  const length = values.length;
  for (let i = 0; i < length; i++) {
    const value = values[i]!;
    if (!(value >= -1 && value < BYTE_NULL - 1)) return base64(Int32Array.from(values));
  }
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = values[i]! + 1;
  return base64(bytes);
}

export function intsBack(value: unknown, length: number): Int32Array {
  const bytes = bytesBack(value);
  const ints = new Int32Array(length);
  if (bytes.length === length) {
    for (let i = 0; i < length; i++) ints[i] = bytes[i]! - 1;
    return ints;
  }
  if (bytes.length !== length * 4) throw new SnapshotShapeError('a packed column has the wrong length');
  new Uint8Array(ints.buffer).set(bytes);
  return ints;
}

const fitsInt32 = (value: number | null) => value === null || (Number.isInteger(value) && value > INT_NULL && value < 2 ** 31);

/** Numbers (null as NaN once read back) as bytes, Int32 or Float64, whichever holds them all: the byte length tells which. */
export function packNumbers(values: readonly (number | null)[]): string {
  const length = values.length;
  let bytes = true;
  for (let i = 0; i < length && bytes; i++) {
    const value = values[i]!;
    bytes = value === null || (Number.isInteger(value) && value >= 0 && value < BYTE_NULL);
  }
  if (bytes) {
    const packed = new Uint8Array(length);
    for (let i = 0; i < length; i++) packed[i] = values[i] ?? BYTE_NULL;
    return base64(packed);
  }
  if (values.every(fitsInt32)) return base64(Int32Array.from(values, (value) => value ?? INT_NULL));
  return base64(Float64Array.from(values, (value) => value ?? NaN));
}

/**
 * A column of numbers `packNumbers` wrote, read back in the form it was packed in (a byte, an Int32 or a Float64 a
 * value): a value is made a number only when asked for, NaN for null. Nothing may be infinite.
 */
export class NumbersReader {
  readonly length: number;
  readonly #bytes: Uint8Array | undefined;
  readonly #ints: Int32Array | undefined;
  readonly #floats: Float64Array | undefined;

  constructor(column: unknown, length: number) {
    const bytes = bytesBack(column);
    this.length = length;
    this.#bytes = undefined;
    this.#ints = undefined;
    this.#floats = undefined;
    if (bytes.length === length) {
      this.#bytes = bytes;
      return;
    }
    if (bytes.length === length * 4) {
      this.#ints = new Int32Array(length);
      new Uint8Array(this.#ints.buffer).set(bytes);
      return;
    }
    if (bytes.length !== length * 8) throw new SnapshotShapeError('a packed column has the wrong length');
    const numbers = new Float64Array(length);
    new Uint8Array(numbers.buffer).set(bytes);
    for (let i = 0; i < length; i++)
      if (numbers[i] === Infinity || numbers[i] === -Infinity) throw new SnapshotShapeError('an infinite number');
    this.#floats = numbers;
  }

  /** Value i, NaN for null. */
  at(i: number): number {
    if (this.#bytes !== undefined) {
      const value = this.#bytes[i]!;
      return value === BYTE_NULL ? NaN : value;
    }
    if (this.#ints !== undefined) {
      const value = this.#ints[i]!;
      return value === INT_NULL ? NaN : value;
    }
    return this.#floats![i]!;
  }

  /** The column as `packNumbers` wrote it. */
  packed(): string {
    return base64(this.#bytes ?? this.#ints ?? this.#floats!);
  }
}

export function packStrings(values: readonly (string | null)[]): PackedStrings {
  const index = new Map<string | null, number>();
  for (const value of values) {
    if (!index.has(value)) index.set(value, index.size);
    if (index.size * TABLE_WHEN > values.length) break;
  }
  if (index.size * TABLE_WHEN <= values.length) return ['table', [...index.keys()], packInts(values.map((value) => index.get(value)!))];
  const joined = values.filter((value) => value !== null).join('');
  return ['joined', joined, packInts(values.map((value) => (value === null ? -1 : value.length)))];
}

/** FNV-1a over the characters, then mixed so that keys differing in their last characters (book-0001a, book-0001b) differ in the low bits too. */
export function hashString(text: string, from: number, to: number): number {
  let hash = -2128831035;
  for (let at = from; at < to; at++) hash = Math.imul(hash ^ text.charCodeAt(at), 16777619);
  hash = Math.imul(hash ^ (hash >>> 16), -2048144789);
  hash = Math.imul(hash ^ (hash >>> 13), -1028477387);
  return hash ^ (hash >>> 16);
}

export const hashOf = (text: string): number => hashString(text, 0, text.length);

/** Items between two starts a joined column keeps: a value elsewhere is found by adding at most this many lengths. */
const STEP = 64;

/**
 * A packed string column read back, checked whole at once; values are cut out on demand. The lengths (or table
 * indexes) stay as the bytes they were packed in, one a value in most columns: a joined column keeps the start of
 * every 64th value and finds the others from there, and from the value asked for last, so that going through the
 * column in order costs one addition a value.
 */
export class StringsReader {
  readonly length: number;
  readonly #joined: string;
  readonly #table: (string | null)[] | undefined;
  /** Joined: each value's length + 1 (0 for null); table: each item's index + 1. One of these two is set. */
  readonly #bytes: Uint8Array | undefined;
  /** The same, as the numbers themselves (-1 for null), when one byte did not hold them all. */
  readonly #ints: Int32Array | undefined;
  /** Joined: where value k × STEP starts. */
  readonly #starts: Int32Array;
  /** Joined: the item after the one cut out last, and where it starts. */
  #nextItem = 0;
  #nextStart = 0;

  constructor(column: unknown, length: number) {
    if (!Array.isArray(column) || column.length !== 3) throw new SnapshotShapeError('a string column is not [form, values, refs]');
    const [form, values, refs] = column as unknown[];
    this.length = length;
    const bytes = bytesBack(refs);
    if (bytes.length === length) {
      this.#bytes = bytes;
      this.#ints = undefined;
    } else if (bytes.length === length * 4) {
      this.#bytes = undefined;
      this.#ints = new Int32Array(length);
      new Uint8Array(this.#ints.buffer).set(bytes);
    } else throw new SnapshotShapeError('a packed column has the wrong length');
    this.#starts = new Int32Array(0);
    if (form === 'table') {
      if (!Array.isArray(values) || values.some((value) => value !== null && typeof value !== 'string'))
        throw new SnapshotShapeError('a string column has no table of strings');
      this.#joined = '';
      this.#table = values as (string | null)[];
      for (let i = 0; i < length; i++) {
        const index = this.#ref(i);
        if (!(index >= 0 && index < values.length)) throw new SnapshotShapeError('a string column names an unknown value');
      }
      return;
    }
    if (form !== 'joined') throw new SnapshotShapeError('a string column of no known form');
    this.#joined = str(values);
    this.#table = undefined;
    const total = this.#joined.length;
    this.#starts = new Int32Array(Math.ceil(length / STEP));
    let at = 0;
    for (let i = 0; i < length; i++) {
      if (i % STEP === 0) this.#starts[i / STEP] = at;
      const size = this.#ref(i);
      if (size === -1) continue;
      if (size < 0 || at + size > total) throw new SnapshotShapeError('a string column has a bad length');
      at += size;
    }
    if (at !== total) throw new SnapshotShapeError('a string column has characters left over');
  }

  /** Item i's length (joined; -1 for null) or table index, as packed. */
  #ref(i: number): number {
    return this.#bytes !== undefined ? this.#bytes[i]! - 1 : this.#ints![i]!;
  }

  /** Where value i of a joined column starts; the value after it is then found at once. */
  #start(i: number): number {
    let item: number;
    let at: number;
    if (i >= this.#nextItem && i - this.#nextItem < STEP) {
      item = this.#nextItem;
      at = this.#nextStart;
    } else {
      item = i - (i % STEP);
      at = this.#starts[item / STEP]!;
    }
    for (; item < i; item++) {
      const size = this.#ref(item);
      if (size > 0) at += size;
    }
    const size = this.#ref(i);
    this.#nextItem = i + 1;
    this.#nextStart = size > 0 ? at + size : at;
    return at;
  }

  /** The column as `packStrings` wrote it, to be written again without cutting a value out. */
  packed(): PackedStrings {
    const refs = base64(this.#bytes ?? this.#ints!);
    return this.#table !== undefined ? ['table', this.#table, refs] : ['joined', this.#joined, refs];
  }

  at(i: number): string | null {
    if (this.#table !== undefined) return this.#table[this.#ref(i)]!;
    const size = this.#ref(i);
    if (size === -1) return null;
    const start = this.#start(i);
    return this.#joined.slice(start, start + size);
  }

  isNull(i: number): boolean {
    return this.#table !== undefined ? this.#table[this.#ref(i)] === null : this.#ref(i) === -1;
  }

  /** The hash of value i as `hashString` gives it; null hashes as the empty string. */
  hash(i: number): number {
    if (this.#table !== undefined) return hashOf(this.#table[this.#ref(i)] ?? '');
    const size = this.#ref(i);
    if (size === -1) return hashOf('');
    const start = this.#start(i);
    return hashString(this.#joined, start, start + size);
  }

  equals(i: number, text: string): boolean {
    if (this.#table !== undefined) return this.#table[this.#ref(i)] === text;
    const size = this.#ref(i);
    return size === text.length && this.#joined.startsWith(text, this.#start(i));
  }
}
