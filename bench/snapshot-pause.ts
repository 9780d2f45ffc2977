/**
 * How long a snapshot write holds the event loop, in one process and without Kafka, so that a loaded machine
 * changes it little: list-books folds `events` events (P7's topic), writes a snapshot, restores another view from
 * it, and writes snapshots of that one; for each write, its duration, the event loop's delay (p50/p99/max) and the
 * garbage collections meanwhile, against the same delay measured with nothing written.
 *
 *   node --expose-gc dist-bench/bench/snapshot-pause.js [events] [writes] [profile.cpuprofile]
 *
 * With a third argument, the CPU profile of the last write of the restored view is written there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { pino } from 'pino';
import { createProjectionRunner } from '../bookshelf/app/projection-runner.js';
import { createSnapshots } from '../bookshelf/app/snapshots.js';
import { createSnapshotStore } from '../bookshelf/adapters/fs/snapshot-store.js';
import { listBooksProjection } from '../bookshelf/domain/projections/list-books.projection.js';
import { bookReadLine, replayLine } from './support/book-events.js';

const events = Number(process.argv[2] ?? 1_000_000);
const writes = Number(process.argv[3] ?? 2);
const profile = process.argv[4];
const topic = 'snapshot-pause';
const logger = pino({ level: 'warn' });
const counters = { applied() {}, rejected() {}, ignored() {}, duplicate() {} };

const record = (line: string, offset: number) => ({
  partition: 0,
  offset: String(offset),
  value: line.slice(line.indexOf('\t') + 1),
  timestamp: String(offset),
});

function newRunner() {
  return createProjectionRunner({ projection: listBooksProjection, topic, logger, counters });
}

function snapshotsOf(runner: ReturnType<typeof newRunner>, dir: string, high: () => number) {
  return createSnapshots({
    runner,
    codec: listBooksProjection.snapshot!,
    topic,
    store: createSnapshotStore({ dir, keep: 2 }),
    logger,
    counters: { rejected() {}, written() {} },
    topicEnds: () => Promise.resolve([{ partition: 0, low: 0, high: high() }]),
    every: Number.MAX_SAFE_INTEGER,
    intervalMs: Number.MAX_SAFE_INTEGER,
    onTopicChanged() {},
  });
}

const ms = (ns: number) => (ns / 1e6).toFixed(1);

/** Runs `work` while the loop delay and GC pauses are recorded; prints one line. */
async function measured(label: string, work: () => Promise<unknown>): Promise<void> {
  const gcs: { kind: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      gcs.push({ kind: (entry as unknown as { detail: { kind: number } }).detail.kind, duration: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // Each turn of the event loop: its CPU time (robust to a loaded machine) and wall time, as a request would wait it.
  const turns = { cpu: [] as number[], wall: [] as number[] };
  let probing = true;
  let turnCpu = process.cpuUsage();
  let turnWall = performance.now();
  const probe = () => {
    const cpu = process.cpuUsage(turnCpu);
    turns.cpu.push((cpu.user + cpu.system) / 1000);
    turns.wall.push(performance.now() - turnWall);
    turnCpu = process.cpuUsage();
    turnWall = performance.now();
    if (probing) setImmediate(probe);
  };
  setImmediate(probe);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const took = performance.now() - started;
  const used = process.cpuUsage(cpu);
  probing = false;
  delay.disable();
  await new Promise((resolve) => setImmediate(resolve));
  observer.disconnect();
  // Kinds as node:perf_hooks numbers them: 1 scavenge, 2 minor mark-sweep, 4 mark-compact, 8 incremental, 16 weak callbacks.
  const byKind = new Map<number, number[]>();
  for (const gc of gcs) byKind.set(gc.kind, [...(byKind.get(gc.kind) ?? []), gc.duration]);
  const gcText = [...byKind]
    .map(
      ([kind, durations]) =>
        `kind${kind} ×${durations.length} max ${Math.max(...durations).toFixed(1)} sum ${durations.reduce((a, b) => a + b, 0).toFixed(0)}`,
    )
    .join(', ');
  const heap = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
  // Weighted by their length: a request comes at any moment and waits for the turn it comes in to end.
  const weighted = (values: number[], share: number) => {
    const sorted = [...values].sort((a, b) => b - a);
    const total = sorted.reduce((sum, value) => sum + value, 0);
    let past = 0;
    for (const value of sorted) if ((past += value) >= total * (1 - share)) return value.toFixed(1);
    return '0';
  };
  const turnText = `turns (by time) cpu p99 ${weighted(turns.cpu, 0.99)} p90 ${weighted(turns.cpu, 0.9)} max ${weighted(turns.cpu, 1)} ms, wall p99 ${weighted(turns.wall, 0.99)} max ${weighted(turns.wall, 1)} ms`;
  console.log(
    `${label}: ${took.toFixed(0)} ms (cpu ${((used.user + used.system) / 1000).toFixed(0)} ms); loop delay p50 ${ms(delay.percentile(50))} p99 ${ms(delay.percentile(99))} max ${ms(delay.max)} ms; ${turnText}; gc ${gcText || 'none'}; heap ${heap} MB`,
  );
}

const idle = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-pause-'));
  try {
    const full = newRunner();
    const batch = 10_000;
    let last = record('', 0);
    for (let at = 0; at < events; at += batch) {
      const records = [];
      for (let i = at; i < Math.min(events, at + batch); i++) records.push(record(replayLine(i), i));
      full.applyBatch(0, records, String(events));
      last = records[records.length - 1]!;
    }
    const fullSnapshots = snapshotsOf(full, dir, () => events);
    await measured('nothing written (1 s)', () => idle(1000));
    await measured('snapshot of the replayed view', () => fullSnapshots.take(true));

    const restored = newRunner();
    let high = events;
    const snapshots = snapshotsOf(restored, dir, () => high);
    await snapshots.restore();
    // The last record the snapshot read, read again as a consumer would, before anything new is applied.
    restored.applyBatch(0, [last], String(high));
    global.gc?.();
    await measured('nothing written (1 s), restored', () => idle(1000));
    for (let n = 0; n < writes; n++) {
      // One event between writes, as P7's trickle does, so that each write is of a new state.
      restored.applyBatch(0, [record(bookReadLine(n), high)], String(high + 1));
      high++;
      const session = profile !== undefined && n === writes - 1 ? new Session() : undefined;
      session?.connect();
      await session?.post('Profiler.enable');
      await session?.post('Profiler.start');
      await measured(`snapshot ${n + 1} of the restored view`, () => snapshots.take(true));
      if (session) writeFileSync(profile!, JSON.stringify((await session.post('Profiler.stop')).profile));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
