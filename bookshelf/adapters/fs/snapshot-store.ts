/**
 * Snapshot files in a state directory. One file is text lines: a JSON header, the projection's chunks
 * (one JSON value a line), and a trailer with the line count and the CRC-32 of every line before it.
 * Written to a temporary file, fsynced and renamed, so that a file under its final name is whole.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { SnapshotRejected, type SnapshotStore } from '../../app/snapshot-store.port.js';
import { createSnapshotChecksum } from './snapshot-checksum.js';
import { createSnapshotLineReader } from './snapshot-lines.js';

const PREFIX = 'snapshot-';
const SUFFIX = '.snap';
/** Bytes read at once: few round trips to the thread pool for a big snapshot. */
const READ_CHUNK = 8 << 20;
const NEWLINE = Buffer.from('\n');
/** Bytes gathered before a write. */
const WRITE_BATCH = 1 << 20;

export interface SnapshotStoreOptions {
  dir: string;
  /** Snapshots kept; older ones are deleted after each write. */
  keep?: number;
}

export function createSnapshotStore({ dir, keep = 3 }: SnapshotStoreOptions): SnapshotStore {
  let counter = 0;
  const newName = (origin: string): string =>
    `${PREFIX}${String(Date.now()).padStart(15, '0')}-${String(counter++).padStart(4, '0')}-${origin}${SUFFIX}`;

  async function list(): Promise<string[]> {
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    return names
      .filter((name) => name.startsWith(PREFIX) && name.endsWith(SUFFIX))
      .sort()
      .reverse();
  }

  /**
   * A temporary file for `name`: written through `write`, in batches; then `keep()` fsyncs it, renames it into place
   * and fsyncs the directory, or `discard()` deletes it.
   */
  async function createFile(name: string) {
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'w', 0o600);
    let pending: string[] = [];
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      const text = pending.join('');
      pending = [];
      size = 0;
      await handle.write(text);
    };
    const discard = async (): Promise<void> => {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    };
    return {
      name,
      async write(text: string | Uint8Array): Promise<void> {
        if (typeof text !== 'string') {
          await flush();
          await handle.write(text);
          return;
        }
        pending.push(text);
        size += text.length;
        if (size >= WRITE_BATCH) await flush();
      },
      async keep(): Promise<string> {
        try {
          await flush();
          await handle.sync();
        } catch (error) {
          await discard();
          throw error;
        }
        await handle.close();
        await rename(temp, join(dir, name));
        const folder = await open(dir, 'r');
        await folder.sync().finally(() => folder.close());
        return name;
      },
      discard,
    };
  }

  /** Writes to a temporary file, fsyncs it, renames it into place and fsyncs the directory. */
  async function writeFile(name: string, fill: (write: (text: string | Uint8Array) => Promise<void>) => Promise<void>): Promise<string> {
    const file = await createFile(name);
    try {
      await fill((text) => file.write(text));
    } catch (error) {
      await file.discard();
      throw error;
    }
    return file.keep();
  }

  async function prune(): Promise<void> {
    for (const old of (await list()).slice(keep)) await rm(join(dir, old), { force: true });
  }

  return {
    dir,
    list,
    path: (name) => join(dir, name),

    async write(header, lines) {
      const name = await writeFile(newName('local'), async (write) => {
        const hash = createSnapshotChecksum();
        let count = 0;
        // Each line made bytes once, outside the JavaScript heap: the checksum and the file take the same bytes.
        let batch: Buffer[] = [];
        let size = 0;
        const line = async (text: string) => {
          const bytes = Buffer.from(text);
          hash.update(bytes).update(NEWLINE);
          count++;
          batch.push(bytes, NEWLINE);
          size += bytes.length + 1;
          if (size < WRITE_BATCH) return;
          const bytesOut = Buffer.concat(batch, size);
          batch = [];
          size = 0;
          await write(bytesOut);
        };
        await line(JSON.stringify(header));
        for await (const text of lines) await line(text);
        if (size > 0) await write(Buffer.concat(batch, size));
        await write(`${JSON.stringify({ end: true, lines: count, crc32: hash.digest() })}\n`);
      });
      await prune();
      return name;
    },

    async read(name, handlers) {
      const lines = createSnapshotLineReader(handlers);
      try {
        for await (const piece of createReadStream(join(dir, name), { highWaterMark: READ_CHUNK })) lines.push(piece as Buffer);
      } catch (error) {
        if (error instanceof SnapshotRejected) throw error;
        throw new SnapshotRejected('corrupt', (error as Error).message, { cause: error });
      }
      lines.end();
    },

    async setAside(name) {
      await rename(join(dir, name), join(dir, `${name}.rejected`)).catch(() => undefined);
    },

    async receive(body: Readable, handlers) {
      const lines = createSnapshotLineReader(handlers);
      const file = await createFile(newName('peer')).catch((error: Error) => {
        throw new SnapshotRejected('transfer', error.message, { cause: error });
      });
      // Decoded as it arrives and written alongside, one batch at a time while the next is decoded: no second pass.
      let batch: Buffer[] = [];
      let size = 0;
      let written: Promise<void> = Promise.resolve();
      const flush = async () => {
        await written;
        const bytes = Buffer.concat(batch, size);
        batch = [];
        size = 0;
        written = file.write(bytes);
        written.catch(() => undefined);
      };
      try {
        for await (const piece of body) {
          const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
          lines.push(bytes);
          batch.push(bytes);
          size += bytes.length;
          if (size >= WRITE_BATCH) await flush();
        }
        lines.end();
        await flush();
      } catch (error) {
        // The file is closed and deleted only once no write is under way.
        await written.catch(() => undefined);
        await file.discard();
        if (error instanceof SnapshotRejected) throw error;
        throw new SnapshotRejected('transfer', (error as Error).message, { cause: error });
      }
      // Whole and right: the state can be used now, while the file is made durable.
      const saved = written.then(
        async () => void (await file.keep()),
        async (error: unknown) => {
          await file.discard();
          throw error;
        },
      );
      saved.catch(() => undefined);
      return { name: file.name, saved };
    },

    async removeTemporary() {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) if (name.endsWith('.tmp')) await rm(join(dir, name), { force: true });
    },
  };
}
