/**
 * When to write a snapshot of a projection and what goes in it, and how to start from one: the newest
 * valid local snapshot, else (state dir empty) a passing peer's, else the log from its start.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ProjectionCodec } from '../domain/projection.js';
import { createEventIdSet } from './event-id-set.js';
import { formatPosition } from './log-position.js';
import type { ProjectionRunner } from './projection-runner.js';
import type { Logger, LogRecord, PartitionEnds } from './ports.js';
import { retry } from './retry.js';
import type { SnapshotSource } from './snapshot-state.js';
import {
  SNAPSHOT_FORMAT_VERSION,
  SnapshotRejected,
  type RejectReason,
  type SnapshotHandlers,
  type SnapshotHeader,
  type SnapshotStore,
} from './snapshot-store.port.js';
import { checkHeader, checkOffsets } from './snapshot-header.js';
import type { SnapshotPeers } from './snapshot-peers.port.js';

export interface SnapshotsOptions<V> {
  runner: ProjectionRunner<V>;
  codec: ProjectionCodec<V>;
  topic: string;
  store: SnapshotStore;
  logger: Logger;
  counters: { rejected(reason: RejectReason): void; written(seconds: number): void };
  /** The topic's partitions with their first and next offsets, as Kafka has them now. */
  topicEnds(): Promise<PartitionEnds[]>;
  peers?: SnapshotPeers;
  /** Write one after this many events applied since the last... */
  every: number;
  /** ...or after this long, when anything changed. */
  intervalMs: number;
  /** The restored state was wrong (the topic was made again): read the log again from its start. */
  onTopicChanged(): void;
}

/** Encoding runs this long before it lets requests in: about one chunk, so that a GET waits a millisecond or two at most. */
const SLICE_MS = 1;
/** A peer asking for a snapshot gets a new one when the newest is older than this and the view moved since. */
const FRESH_FOR_MS = 30_000;

export const fingerprint = (record: Pick<LogRecord, 'timestamp' | 'value'>): string =>
  createHash('sha256')
    .update(`${record.timestamp}\u0000${record.value ?? '\u0000null'}`)
    .digest('base64url')
    .slice(0, 22);

/** The decoder's view, made whole: what shows only then (a key found twice) makes the snapshot corrupt too. */
function finish<V>(decoder: ReturnType<ProjectionCodec<V>['decoder']>): V {
  try {
    return decoder.view();
  } catch (error) {
    throw new SnapshotRejected('corrupt', (error as Error).message, { cause: error });
  }
}

export function createSnapshots<V>(options: SnapshotsOptions<V>) {
  const { runner, codec, topic, store, logger, counters } = options;
  let writing: Promise<string | undefined> | null = null;
  let last = { position: '', applied: 0, at: Date.now() };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Set as a stop begins: no more waiting for Kafka. */
  let closing = false;
  /** Files still being dealt with after a load: a peer's snapshot made durable, a bad one set aside. */
  let saving: Promise<void> = Promise.resolve();

  // Any failure is tried again, as the log follower does, until the service stops.
  const topicEnds = (): Promise<PartitionEnds[]> =>
    retry(() => options.topicEnds(), {
      initialMs: 250,
      maxMs: 5000,
      retryOn: 'any',
      stop: () => closing,
      onRetry: (error, attempt) =>
        logger.warn({ err: (error as Error).message, attempt }, 'cannot check the snapshot against Kafka yet, retrying'),
    });

  function reject(name: string | undefined, reason: RejectReason, detail: string, source: Partial<SnapshotSource>): void {
    counters.rejected(reason);
    logger.warn({ file: name, reason, detail, ...source }, 'snapshot rejected, reading the log from its start');
    // A peer's file is set aside once it is on disk under its name.
    if (name !== undefined) saving = saving.then(() => store.setAside(name));
  }

  /**
   * Loads one snapshot into the runner, from `read` (a local file, or a peer's as it arrives); false when it is not
   * right, and a local file set aside. `read` resolves with the file's name once it is whole and checked.
   */
  async function load(
    origin: 'local' | 'peer',
    read: (handlers: SnapshotHandlers) => Promise<string>,
    { file, peer }: { file?: string; peer?: string },
  ): Promise<boolean> {
    runner.beginRestore();
    // Kafka is asked while the snapshot is read.
    const asked = topicEnds();
    asked.catch(() => undefined);
    const started = Date.now();
    const decoder = codec.decoder();
    let ids = createEventIdSet();
    let header: SnapshotHeader | undefined;
    let name = file;
    let view: V;
    try {
      name = await read({
        header(candidate) {
          header = checkHeader(candidate, { codec, topic });
          if (typeof header.ids === 'number' && header.ids > 0 && header.ids < 2 ** 28)
            ids = createEventIdSet(2 ** Math.ceil(Math.log2((header.ids * 4) / 3 + 1)));
        },
        chunk(chunk) {
          const kind = (chunk as { kind?: unknown }).kind;
          if (kind === 'applied-uuids' || kind === 'applied-ids') ids.restore(chunk);
          else decoder.add(chunk);
        },
      });
      view = finish(decoder);
      checkOffsets(header!, await asked);
    } catch (error) {
      // Not the snapshot's fault: the service is stopping while Kafka was being asked.
      if (!(error instanceof SnapshotRejected)) throw error;
      reject(name, error.reason, error.message, { origin, ...(peer !== undefined && { peer }) });
      return false;
    }
    const { next, last: lastRecords, createdAt } = header!;
    const low = new Map((await asked).map((end) => [end.partition, end.low]));
    const verify = new Map<number, { offset: number; fingerprint: string }>();
    for (const [partition, record] of Object.entries(lastRecords)) {
      if (record.offset >= (low.get(Number(partition)) ?? 0)) verify.set(Number(partition), record);
    }
    const nextMap = new Map(Object.entries(next).map(([partition, offset]) => [Number(partition), offset]));
    const position = formatPosition(new Map([...nextMap].map(([partition, offset]) => [partition, offset - 1])));
    runner.restore({
      view,
      ids,
      next: nextMap,
      source: { from: 'snapshot', origin, file: name, ...(peer !== undefined && { peer }), createdAt, position },
      verify: {
        records: verify,
        fingerprint,
        onMismatch(partition) {
          reject(
            name,
            'topic_changed',
            `partition ${partition} no longer holds the record the snapshot read last: the topic was made again`,
            { origin },
          );
          runner.reset();
          options.onTopicChanged();
        },
      },
    });
    last = { position: runner.appliedPosition(), applied: 0, at: Date.now() };
    logger.info(
      { file: name, origin, ...(peer !== undefined && { peer }), position, ms: Date.now() - started },
      'state restored from a snapshot',
    );
    return true;
  }

  async function fromPeer(): Promise<boolean> {
    const peers = await options.peers!.find().catch((error: Error) => {
      logger.warn({ err: error.message }, 'cannot look for peers');
      return [];
    });
    for (const peer of peers) {
      const receive = async (handlers: SnapshotHandlers): Promise<string> => {
        const body = await options.peers!.fetch(peer).catch((error: Error) => {
          throw new SnapshotRejected('transfer', error.message, { cause: error });
        });
        const { name, saved } = await store.receive(body, handlers);
        // Loaded from memory at once; the file for the next start is fsynced and renamed meanwhile.
        const kept = saved.catch((error: Error) =>
          logger.warn({ err: error.message, dir: store.dir }, "the peer's snapshot is not kept on disk; the next one written will be"),
        );
        saving = saving.then(() => kept);
        return name;
      };
      if (await load('peer', receive, { peer })) return true;
    }
    if (peers.length === 0) logger.info({}, 'no peer to take a snapshot from');
    return false;
  }

  function* lines(state: ReturnType<ProjectionRunner<V>['snapshotState']>): Generator<string> {
    for (const chunk of codec.encode(state.view)) yield JSON.stringify(chunk);
    for (const chunk of state.ids.chunks()) yield JSON.stringify(chunk);
  }

  /** Writes a snapshot of the state as it is now; paced, it lets requests in every few milliseconds. */
  function take(paced: boolean): Promise<string | undefined> {
    const partitions = Object.keys(runner.health().partitions).length;
    if (writing || partitions === 0 || stopped) return writing ?? Promise.resolve(undefined);
    const started = Date.now();
    const buffered: string[] = [];
    let done = false;
    const state = runner.snapshotState(() => {
      // The view is about to change: encode the rest now, so that the snapshot stays one moment's state.
      for (const line of encoded) buffered.push(line);
      done = true;
    });
    const encoded = lines(state);
    const header: SnapshotHeader = {
      format: 'bookshelf-snapshot',
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      projection: codec.name,
      projectionVersion: codec.version,
      topic,
      partitions,
      next: Object.fromEntries(state.next),
      last: Object.fromEntries(
        [...state.last].map(([partition, record]) => [partition, { offset: record.offset, fingerprint: fingerprint(record) }]),
      ),
      createdAt: new Date().toISOString(),
      events: state.applied,
      ids: state.ids.size,
    };
    const position = runner.appliedPosition();
    async function* body(): AsyncGenerator<string> {
      let slice = performance.now();
      for (;;) {
        if (buffered.length > 0) yield* buffered.splice(0);
        if (done) return;
        const step = encoded.next();
        if (step.done) return;
        yield step.value;
        if (paced && performance.now() - slice > SLICE_MS) {
          await nextTurn();
          slice = performance.now();
        }
      }
    }
    writing = (async () => {
      try {
        const name = await store.write(header, body());
        last = { position, applied: state.applied, at: Date.now() };
        counters.written((Date.now() - started) / 1000);
        logger.info({ file: name, position, ms: Date.now() - started }, 'snapshot written');
        return name;
      } catch (error) {
        logger.warn({ err: (error as Error).message, dir: store.dir }, 'snapshot not written');
        return undefined;
      } finally {
        runner.releaseSnapshot();
        writing = null;
      }
    })();
    return writing;
  }

  return {
    /** Before reading the log: the newest valid local snapshot, else a peer's when the state dir is empty, else nothing. */
    async restore(): Promise<void> {
      await store.removeTemporary();
      const names = await store.list();
      if (names.length === 0 && options.peers && (await fromPeer())) return;
      for (const name of names) if (await load('local', (handlers) => store.read(name, handlers).then(() => name), { file: name })) return;
      runner.setSource({ from: 'log' });
    },

    /** Writes one every `every` events or `intervalMs`, once caught up and when something changed. */
    start(): void {
      timer = setInterval(() => {
        if (writing || !runner.isCaughtUp()) return;
        const applied = runner.health().events.applied;
        const moved = runner.appliedPosition() !== last.position;
        if (moved && (applied - last.applied >= options.every || applied < last.applied || Date.now() - last.at >= options.intervalMs))
          void take(true);
      }, 1000);
      timer.unref();
    },

    take,

    path: (name: string): string => store.path(name),

    /** The snapshot to hand to a peer: the newest, or (with `write`) a new one when that is stale. */
    async current({ write }: { write: boolean }): Promise<string | undefined> {
      const newest = (await store.list())[0];
      const stale = runner.appliedPosition() !== last.position && Date.now() - last.at > FRESH_FOR_MS;
      if (!write || (newest !== undefined && !stale)) return newest;
      return (await take(true)) ?? newest;
    },

    /** Gives up waiting for Kafka, for a stop during the start. */
    close(): void {
      closing = true;
    },

    /** A last snapshot when the state moved since the newest one; written at full speed (no requests are left). */
    async stop(): Promise<void> {
      clearInterval(timer);
      await Promise.all([writing, saving]);
      if (runner.appliedPosition() !== last.position) await take(false);
      stopped = true;
    },
  };
}

export type Snapshots = ReturnType<typeof createSnapshots>;
