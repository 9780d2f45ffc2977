/**
 * A snapshot's lines read out of its bytes however they are cut into pieces (a file read 8 MiB at a time, a peer's
 * answer as it comes off the socket): the same header and chunks, and the trailer's count and checksum checked.
 */
import { describe, expect, it } from 'vitest';
import { createSnapshotChecksum } from '../../bookshelf/adapters/fs/snapshot-checksum.js';
import { createSnapshotLineReader } from '../../bookshelf/adapters/fs/snapshot-lines.js';
import { SnapshotRejected } from '../../bookshelf/app/snapshot-store.port.js';

const header = { format: 'bookshelf-snapshot', formatVersion: 3, projection: 'list-books', topic: 't' };
const chunks = [
  { kind: 'rows', items: ['a'.repeat(300), 'é ✓'] },
  { kind: 'seq', items: [7] },
  { kind: 'empty', items: [] },
];

function snapshotBytes(lines: unknown[] = [header, ...chunks]): Buffer {
  const texts = lines.map((line) => JSON.stringify(line));
  const hash = createSnapshotChecksum();
  for (const text of texts) hash.update(`${text}\n`);
  const trailer = JSON.stringify({ end: true, lines: texts.length, crc32: hash.digest() });
  return Buffer.from([...texts, trailer].map((text) => `${text}\n`).join(''));
}

/** Reads `bytes` handed over in pieces of `size` bytes; what the handlers saw, or the rejection. */
function readInPieces(bytes: Buffer, size: number) {
  const seen: unknown[] = [];
  const reader = createSnapshotLineReader({ header: (h) => seen.push(h), chunk: (c) => seen.push(c) });
  try {
    for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
    reader.end();
    return { seen };
  } catch (error) {
    return { seen, rejected: error as SnapshotRejected };
  }
}

describe('a snapshot read out of its bytes', () => {
  it('hands over the header, then each chunk, whatever the size of the pieces, multi-byte characters cut included', () => {
    const bytes = snapshotBytes();
    for (const size of [1, 2, 3, 7, 64, 299, 301, bytes.length]) {
      expect(readInPieces(bytes, size), `pieces of ${size}`).toEqual({ seen: [header, ...chunks] });
    }
  });

  describe('when a letter is changed', () => {
    it('is rejected as corrupt: the checksum does not match', () => {
      const bytes = snapshotBytes();
      bytes[bytes.indexOf('aaaa')] = 'b'.charCodeAt(0);
      const { rejected } = readInPieces(bytes, 5);
      expect(rejected).toBeInstanceOf(SnapshotRejected);
      expect(rejected).toMatchObject({ reason: 'corrupt', message: 'the checksum does not match' });
    });
  });

  describe('when it is cut short', () => {
    it('is rejected as corrupt, at a line end or inside a line', () => {
      const bytes = snapshotBytes();
      const lastLineEnd = bytes.lastIndexOf('\n', bytes.length - 2) + 1;
      expect(readInPieces(bytes.subarray(0, lastLineEnd), 4).rejected).toMatchObject({ reason: 'corrupt' });
      expect(readInPieces(bytes.subarray(0, bytes.length >> 1), 4).rejected).toMatchObject({ reason: 'corrupt' });
      expect(readInPieces(Buffer.alloc(0), 4).rejected).toMatchObject({ reason: 'corrupt', message: 'the file is empty or cut short' });
    });
  });

  describe('when its first line is not a snapshot header', () => {
    it('is rejected before any chunk is handed over', () => {
      const { seen, rejected } = readInPieces(snapshotBytes([{ format: 'other' }, ...chunks]), 16);
      expect(seen).toEqual([]);
      expect(rejected).toMatchObject({ reason: 'corrupt', message: 'no snapshot header' });
    });
  });
});
