/**
 * A replica started with an empty state dir asks a passing instance of the same service, found through the real
 * Consul, for its snapshot, then reads the log from the snapshot's offsets: it ends equal to a full replay. A peer
 * that fails half-way through the transfer leaves a replica that replayed the log instead, just as right.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { CONSUL, checkStatus, newTopic, unique } from '../support/infra.js';
import { startTestBooks, startTestView, tempStateDir } from '../support/in-process.js';
import {
  canonical,
  caughtUpTo,
  handPushedLines,
  health,
  metricValue,
  ownCommands,
  produceLines,
  randomCommands,
  rewriteSnapshot,
  topicEnds,
} from '../support/snapshot-log.js';
import { waitFor } from '../support/wait-for.js';

const cleanup = cleanupAfterAll();

const TOKEN = 'peer-secret';

/** A topic of hand-pushed lines and the snapshot a view of it wrote, read from its file. */
async function shelfWithSnapshot() {
  const seed = fuzzSeed();
  const topic = await newTopic('snap-peer');
  const name = unique('booklist');
  await produceLines(topic, handPushedLines(seededRandom(seed), 900));
  const ends = await topicEnds(topic);
  const dir = tempStateDir();
  const source = await startTestView(listBooksView, { topic, 'state-dir': dir });
  await caughtUpTo(source.url, ends);
  await source.stop();
  const snapshot = readFileSync(
    join(
      dir,
      readdirSync(dir).find((file) => file.endsWith('.snap'))!,
    ),
  );
  return { seed, topic, name, ends, snapshot };
}

/** An instance of `name` in Consul, passing, whose `GET /snapshot` answers as `answer` does. */
async function fakePeer(name: string, kind: string, answer: (response: ServerResponse) => void): Promise<void> {
  const server = createServer((request, response) => {
    if (request.url === '/health') return response.end('{"status":"pass"}');
    answer(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const id = `${name}-${kind}`;
  const port = (server.address() as { port: number }).port;
  await fetch(`http://${CONSUL}/v1/agent/service/register`, {
    method: 'PUT',
    body: JSON.stringify({ Name: name, ID: id, Address: '127.0.0.1', Port: port, Check: { TTL: '60s', Status: 'passing' } }),
  });
  cleanup.push(async () => {
    await fetch(`http://${CONSUL}/v1/agent/service/deregister/${id}`, { method: 'PUT' });
    server.close();
  });
  await waitFor(async () => (await checkStatus(name)).includes('passing'), { what: `the ${kind} peer passing in Consul` });
}

/** A fake peer of `name` whose `GET /snapshot` answers with these bytes, whole. */
const servesWhole = (name: string, kind: string, bytes: Buffer) =>
  fakePeer(name, kind, (response) => {
    response.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Content-Length': String(bytes.length) });
    response.end(bytes);
  });

/** A new replica of `name` (registered, its state dir empty) and a full replay beside it, both caught up to `ends`. */
async function replicaBesideFullReplay(topic: string, name: string, ends: Map<number, number>) {
  const replicaDir = tempStateDir();
  const replica = await startTestView(listBooksView, { topic, name, register: true, 'state-dir': replicaDir });
  const full = await startTestView(listBooksView, { topic, snapshots: false });
  cleanup.push(() => Promise.all([replica.stop(), full.stop()]));
  const [report] = await Promise.all([caughtUpTo(replica.url, ends), caughtUpTo(full.url, ends)]);
  return { replica, full, report: report, replicaDir };
}

describe('a new replica', () => {
  it('seeds itself from a passing peer, behind the bearer token, and equals a full replay', async () => {
    const seed = fuzzSeed();
    const random = seededRandom(seed);
    const topic = await newTopic('snap-peer');
    const name = unique('booklist');
    const lines = handPushedLines(random, 1200);
    await produceLines(topic, lines.slice(0, 900));
    const peer = await startTestView(listBooksView, { topic, name, register: true, 'auth-token': TOKEN });
    cleanup.push(() => peer.stop());
    await caughtUpTo(peer.url, await topicEnds(topic));
    await waitFor(async () => (await checkStatus(name)).includes('passing'), { what: 'the peer passing in Consul' });
    expect((await fetch(`${peer.url}/snapshot`)).status).toBe(401);

    await produceLines(topic, lines.slice(900));
    const ends = await topicEnds(topic);
    const replicaDir = tempStateDir();
    const replica = await startTestView(listBooksView, { topic, name, register: true, 'auth-token': TOKEN, 'state-dir': replicaDir });
    const full = await startTestView(listBooksView, { topic, snapshots: false });
    cleanup.push(() => Promise.all([replica.stop(), full.stop()]));
    const [report] = await Promise.all([caughtUpTo(replica.url, ends), caughtUpTo(full.url, ends)]);

    expect(report.restored, `seed ${seed}`).toMatchObject({ from: 'snapshot', origin: 'peer', peer: peer.url });
    expect(canonical(replica.view()), `seed ${seed}`).toEqual(canonical(full.view()));
    // The peer's snapshot is kept for the next start, whole, under the name the replica reported.
    await replica.stop();
    const kept = readdirSync(replicaDir);
    expect(kept).toContain(report.restored?.file);
    expect(kept.filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });

  it('of books seeds itself from a passing peer too, and equals a full replay', async () => {
    const seed = fuzzSeed();
    const random = seededRandom(seed);
    const topic = await newTopic('snap-peer');
    const name = unique('books');
    await produceLines(topic, handPushedLines(random, 600));
    const peer = await startTestBooks({ topic, name, register: true });
    cleanup.push(() => peer.stop());
    await caughtUpTo(peer.url, await topicEnds(topic));
    await randomCommands(peer.send, random, 60, 'p');
    await waitFor(async () => (await checkStatus(name)).includes('passing'), { what: 'the peer passing in Consul' });

    const replica = await startTestBooks({ topic, name, register: true });
    cleanup.push(() => replica.stop());
    await caughtUpTo(replica.url, await topicEnds(topic));
    // The replica takes commands once caught up; both see them.
    await randomCommands(replica.send, random, 60, 'p');
    const ends = await topicEnds(topic);
    const full = await startTestBooks({ topic, snapshots: false });
    cleanup.push(() => full.stop());
    const [report] = await Promise.all([caughtUpTo(replica.url, ends), caughtUpTo(full.url, ends), caughtUpTo(peer.url, ends)]);

    expect(report.restored, `seed ${seed}`).toMatchObject({ from: 'snapshot', origin: 'peer', peer: peer.url });
    expect(canonical(ownCommands(replica.view())), `seed ${seed}`).toEqual(canonical(ownCommands(full.view())));
    expect(canonical(ownCommands(peer.view())), `seed ${seed}`).toEqual(canonical(ownCommands(full.view())));
  });

  it('replays the log when the peer fails half-way through the transfer, and equals a full replay', async () => {
    // A real snapshot, of which the failing peer sends the first half before its connection drops.
    const { seed, topic, name, ends, snapshot } = await shelfWithSnapshot();
    let asked = 0;
    await fakePeer(name, 'failing', (response) => {
      asked++;
      response.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Content-Length': String(snapshot.length) });
      response.write(snapshot.subarray(0, snapshot.length >> 1), () => response.destroy());
    });

    const { replica, full, report } = await replicaBesideFullReplay(topic, name, ends);

    expect(asked).toBe(1);
    expect(report.restored, `seed ${seed}`).toMatchObject({ from: 'log' });
    expect(await metricValue(replica.url, 'bookshelf_snapshots_rejected_total', 'reason="transfer"')).toBe(1);
    expect(canonical(replica.view()), `seed ${seed}`).toEqual(canonical(full.view()));
    expect((await health(replica.url)).events.applied).toBe((await health(full.url)).events.applied);
  });

  it("sets a peer's snapshot aside when Kafka no longer holds its offsets, once the file is on disk", async () => {
    const { seed, topic, name, ends, snapshot } = await shelfWithSnapshot();
    // Whole and right, but of a longer log: its offsets lie beyond the ends of this topic.
    const path = join(tempStateDir(), 'beyond.snap');
    writeFileSync(path, snapshot);
    rewriteSnapshot(path, (header) => {
      const next = header.next as Record<string, number>;
      const last = header.last as Record<string, { offset: number }>;
      for (const partition of Object.keys(next)) next[partition]! += 1000;
      for (const record of Object.values(last)) record.offset += 1000;
    });
    await servesWhole(name, 'beyond', readFileSync(path));

    const { replica, full, report, replicaDir } = await replicaBesideFullReplay(topic, name, ends);

    expect(report.restored, `seed ${seed}`).toMatchObject({ from: 'log' });
    expect(await metricValue(replica.url, 'bookshelf_snapshots_rejected_total', 'reason="offsets"')).toBe(1);
    expect(canonical(replica.view()), `seed ${seed}`).toEqual(canonical(full.view()));
    // Stopped before it wrote one of its own: the peer's file is there, set aside, and nothing under a usable name.
    await replica.stop();
    const files = readdirSync(replicaDir);
    expect(files.filter((file) => file.endsWith('-peer.snap.rejected'))).toHaveLength(1);
    expect(files.filter((file) => file.endsWith('-peer.snap') || file.endsWith('.tmp'))).toEqual([]);
  });

  it('replays the log when a whole snapshot from the peer is scrambled, and keeps nothing of it', async () => {
    const { seed, topic, name, ends, snapshot } = await shelfWithSnapshot();
    // One letter changed inside a column of the rows' strings joined end to end: still JSON, of the same length, only the checksum tells.
    const joined = '"joined","';
    const letter = (from: number): number => {
      for (let at = from; snapshot[at] !== 0x22; at++) if (/[a-y]/.test(String.fromCharCode(snapshot[at]!))) return at;
      return -1;
    };
    let at = -1;
    for (
      let from = snapshot.indexOf(joined, snapshot.indexOf('"kind":"rows"'));
      at === -1 && from !== -1;
      from = snapshot.indexOf(joined, from + 1)
    )
      at = letter(from + joined.length);
    expect(at).toBeGreaterThan(0);
    snapshot[at]! += 1;
    await servesWhole(name, 'scrambling', snapshot);

    const { replica, full, report, replicaDir } = await replicaBesideFullReplay(topic, name, ends);

    expect(report.restored, `seed ${seed}`).toMatchObject({ from: 'log' });
    expect(await metricValue(replica.url, 'bookshelf_snapshots_rejected_total', 'reason="corrupt"')).toBe(1);
    expect(canonical(replica.view()), `seed ${seed}`).toEqual(canonical(full.view()));
    expect(readdirSync(replicaDir).filter((file) => file.endsWith('.snap') || file.endsWith('.tmp'))).toEqual([]);
  });
});
