/**
 * Columns of a snapshot chunk packed so that reading them back makes almost no objects: strings joined end to end
 * (or a table of the few values a column takes) with their lengths or indexes, and numbers, as base64 arrays of a
 * byte, an Int32 or a Float64 a value, whichever holds them all. Read back (packed-column-readers.ts), the arrays stay
 * in that form and a value is cut out only when it is asked for.
 */
import { SnapshotShapeError, str } from './snapshot-chunks.js';

export type PackedStrings = ['joined', string, string] | ['table', (string | null)[], string];

/** A column with few distinct values (a status, a year) is kept as a table of them and an index per item. */
const TABLE_WHEN = 4;

export const base64 = (array: Uint8Array | Int32Array | Float64Array): string =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');

export function bytesBack(value: unknown): Buffer {
  return Buffer.from(str(value), 'base64');
}

/** Outside what one byte holds: the Int32 form. */
export const BYTE_NULL = 255;
export const INT_NULL = -(2 ** 31);

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
