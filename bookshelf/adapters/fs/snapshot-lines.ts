/**
 * Reads a snapshot's lines out of its bytes as they come (a file, or a peer's answer): the header, then each chunk,
 * then the trailer with the line count and the checksum of every line before it, checked last.
 */
import { SnapshotRejected, type SnapshotHandlers, type SnapshotHeader } from '../../app/snapshot-store.port.js';
import { createSnapshotChecksum } from './snapshot-checksum.js';

const NEWLINE = Buffer.from('\n');

/** Takes the bytes in pieces of any size; `end()` checks the trailer. Throws SnapshotRejected('corrupt') on anything wrong. */
export function createSnapshotLineReader(handlers: SnapshotHandlers) {
  const hash = createSnapshotChecksum();
  let previous: Buffer | undefined;
  /** The start of a line whose end has not come yet, in pieces: joined once, when it ends. */
  let rest: Buffer[] = [];
  let count = 0;

  // The line before is handed over only once the next one is seen: the last line is the trailer, not a chunk.
  const take = (line: Buffer) => {
    if (previous !== undefined) {
      const parsed = parse(previous.toString('utf8'));
      if (count === 0) handlers.header(checkHeader(parsed));
      else handlers.chunk(parsed);
      hash.update(previous).update(NEWLINE);
      count++;
    }
    previous = line;
  };

  const guarded = (step: () => void) => {
    try {
      step();
    } catch (error) {
      if (error instanceof SnapshotRejected) throw error;
      throw new SnapshotRejected('corrupt', (error as Error).message, { cause: error });
    }
  };

  return {
    /** Lines cut out of the bytes: the checksum is over the bytes as written, and no line is decoded twice. */
    push(piece: Buffer): void {
      guarded(() => {
        let from = 0;
        for (let at = piece.indexOf(10); at !== -1; at = piece.indexOf(10, from)) {
          const line = piece.subarray(from, at);
          take(rest.length === 0 ? line : Buffer.concat([...rest, line]));
          rest = [];
          from = at + 1;
        }
        if (from < piece.length) rest.push(piece.subarray(from));
      });
    },

    end(): void {
      guarded(() => {
        if (rest.length > 0) take(Buffer.concat(rest));
        rest = [];
      });
      if (count === 0) throw new SnapshotRejected('corrupt', 'the file is empty or cut short');
      const trailer = parse(previous?.toString('utf8') ?? '') as { end?: unknown; lines?: unknown; crc32?: unknown };
      if (trailer.end !== true || trailer.lines !== count) throw new SnapshotRejected('corrupt', 'the file is cut short');
      if (trailer.crc32 !== hash.digest()) throw new SnapshotRejected('corrupt', 'the checksum does not match');
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SnapshotRejected('corrupt', 'a line is not JSON');
  }
}

function checkHeader(value: unknown): SnapshotHeader {
  const header = value as Partial<SnapshotHeader>;
  if (typeof header !== 'object' || header === null || header.format !== 'bookshelf-snapshot')
    throw new SnapshotRejected('corrupt', 'no snapshot header');
  return header as SnapshotHeader;
}
