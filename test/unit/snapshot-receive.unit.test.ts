/** A peer's snapshot received by the store (adapters/fs/snapshot-store.ts): decoded as it comes, kept only when right. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnapshotStore } from '../../bookshelf/adapters/fs/snapshot-store.js';
import {
  SNAPSHOT_FORMAT_VERSION,
  SnapshotRejected,
  type SnapshotHeader,
  type SnapshotStore,
} from '../../bookshelf/app/snapshot-store.port.js';

const header: SnapshotHeader = {
  format: 'bookshelf-snapshot',
  formatVersion: SNAPSHOT_FORMAT_VERSION,
  projection: 'test',
  projectionVersion: 1,
  topic: 'shelf',
  partitions: 1,
  next: { 0: 40 },
  last: {},
  createdAt: '2026-12-02T00:00:00.000Z',
  events: 40,
};
const chunks = Array.from({ length: 40 }, (_, n) => ({ kind: 'rows', items: [`book-${n}`, 'é'.repeat(n)] }));

/** Everything a read hands over, in order. */
function collector() {
  const seen: unknown[] = [];
  return { seen, handlers: { header: (value: SnapshotHeader) => seen.push(value), chunk: (value: unknown) => seen.push(value) } };
}

/** `bytes` in pieces of `size`, as a socket would hand them over (cutting lines and characters anywhere). */
const inPieces = (bytes: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, n) => bytes.subarray(n * size, (n + 1) * size)));

describe("the store receiving a peer's snapshot", () => {
  let dir: string;
  let store: SnapshotStore;
  let snapshot: Buffer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bookshelf-receive-'));
    const source = createSnapshotStore({ dir: join(dir, 'peer') });
    const name = await source.write(header, Readable.from(chunks.map((chunk) => JSON.stringify(chunk))));
    snapshot = readFileSync(source.path(name));
    store = createSnapshotStore({ dir: join(dir, 'replica') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const kept = () => readdirSync(store.dir).sort();

  it('hands over what a read of the file does, and keeps the same bytes under the name it gives', async () => {
    // Given a whole snapshot arriving in pieces of 7 bytes
    const { seen, handlers } = collector();
    // When it is received
    const { name, saved } = await store.receive(inPieces(snapshot, 7), handlers);
    await saved;
    // Then the header and every chunk came in order, and the file kept is the peer's, byte for byte
    expect(seen).toEqual([header, ...chunks]);
    expect(kept()).toEqual([name]);
    expect(readFileSync(store.path(name))).toEqual(snapshot);
  });

  it('stops reading at a line that is not JSON, and keeps nothing', async () => {
    // Given an answer whose fourth line is cut short, and that would go on for ever after the line after it
    const lines = snapshot.toString('utf8').split('\n');
    const answer = new PassThrough();
    answer.write([...lines.slice(0, 3), '{"kind":"rows","ite', lines[4], ''].join('\n'));
    // When it is received
    const received = store.receive(answer, collector().handlers);
    // Then it is refused as corrupt, the answer is no longer read, and no file is left
    await expect(received).rejects.toMatchObject({ constructor: SnapshotRejected, reason: 'corrupt' });
    expect(answer.destroyed).toBe(true);
    expect(kept()).toEqual([]);
  });

  it('refuses an answer that broke off, even before it was listened to, and keeps nothing', async () => {
    // Given an answer that broke off after half the snapshot, before the store began to read it
    const answer = new PassThrough();
    answer.write(snapshot.subarray(0, snapshot.length >> 1));
    answer.destroy();
    // When it is received
    const received = store.receive(answer, collector().handlers);
    // Then the transfer is refused (another peer may do better), and no file is left
    await expect(received).rejects.toMatchObject({ constructor: SnapshotRejected, reason: 'transfer' });
    expect(kept()).toEqual([]);
  });

  it('refuses an answer that ends early without an error, and keeps nothing', async () => {
    // Given an answer that ends cleanly after half the snapshot
    const { handlers } = collector();
    // When it is received
    const received = store.receive(inPieces(snapshot.subarray(0, snapshot.length >> 1), 1000), handlers);
    // Then it is refused: the trailer never came
    await expect(received).rejects.toMatchObject({ constructor: SnapshotRejected, reason: 'corrupt' });
    expect(kept()).toEqual([]);
  });
});
