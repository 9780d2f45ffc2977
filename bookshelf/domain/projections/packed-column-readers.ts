/** The columns of packed-columns.ts read back: checked whole at once, kept in the form they were packed in. */
import { SnapshotShapeError, str } from './snapshot-chunks.js';
import { base64, BYTE_NULL, bytesBack, hashOf, hashString, INT_NULL, type PackedStrings } from './packed-columns.js';

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
