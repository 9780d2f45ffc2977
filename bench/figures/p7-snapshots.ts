/**
 * P7 restart: list-books on a topic of `events` events, from spawning to caught up, when it starts from its own
 * snapshot and when a new replica seeds itself from a passing peer, against the full replay of the same run.
 * Also the p99 of `GET /:id` while snapshots of the whole shelf are being written, against the same without.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { bookId, bookReadLine, replayLine } from '../support/book-events.js';
import { CONSUL, benchKafka, newTopic, produceLines } from '../support/kafka.js';
import { startListening, startService, type ServiceOptions } from '../support/services.js';
import { wrk } from '../support/wrk.js';

const LOAD = { connections: 16, seconds: 5 };

/** Seconds from spawning list-books to its "caught up with the log" line, and the process, still running. */
async function caughtUp(options: ServiceOptions) {
  const service = startService('list-books', { snapshots: true, ...options });
  const line = await service.waitForLog('caught up with the log', 600_000);
  return { service, seconds: (Number(line.time) - service.spawnedAt) / 1000 };
}

async function passing(name: string): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    const checks = (await (await fetch(`http://${CONSUL}/v1/health/checks/${name}`)).json()) as { Status: string }[];
    if (checks.some((check) => check.Status === 'passing')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`P7: ${name} not passing`);
}

/** p99 of GET /:id, with the shelf's snapshot written over and over (a trickle of events moves it) or not. */
async function p99WhileWriting(topic: string, dir: string): Promise<{ usual: number; during: number }> {
  const view = await startListening('list-books', {
    topic,
    snapshots: true,
    extraArgs: ['--state-dir', dir, '--snapshot-every', '1', '--snapshot-interval', '1'],
  });
  try {
    await view.waitForLog('caught up with the log', 600_000);
    const url = `${view.url}/${bookId(7)}`;
    await wrk(url, { ...LOAD, seconds: 1 });
    const usual = await wrk(url, LOAD);
    const producer = benchKafka().producer();
    await producer.connect();
    let trickling = true;
    const trickle = (async () => {
      for (let n = 0; trickling; n++) {
        const [key, value] = bookReadLine(n).split('\t') as [string, string];
        await producer.send({ topic, messages: [{ key, value }] });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await view.waitForLog('snapshot written', 60_000);
    const during = await wrk(url, LOAD);
    trickling = false;
    await trickle;
    await producer.disconnect();
    return { usual: usual.p99Ms, during: during.p99Ms };
  } finally {
    await view.stop();
  }
}

export async function snapshotFigures(ctx: BenchContext): Promise<Figure[]> {
  const topic = await newTopic(ctx, 'p7');
  const seconds = await produceLines(topic, ctx.events, replayLine);
  ctx.log(`P7: ${ctx.events} events written to ${topic} in ${seconds.toFixed(1)} s`);
  const full: number[] = [];
  const restored: number[] = [];
  const seeded: number[] = [];
  const p99 = { usual: [] as number[], during: [] as number[] };
  for (let run = 0; run < ctx.runs; run++) {
    const own = mkdtempSync(join(tmpdir(), 'bookshelf-p7-'));
    const empty = mkdtempSync(join(tmpdir(), 'bookshelf-p7-'));
    try {
      // The full replay writes a snapshot once caught up (a million events are more than --snapshot-every).
      const first = await caughtUp({ topic, extraArgs: ['--state-dir', own] });
      full.push(first.seconds);
      await first.service.waitForLog('snapshot written', 120_000);
      await first.service.stop();

      const second = await caughtUp({ topic, extraArgs: ['--state-dir', own] });
      restored.push(second.seconds);
      await second.service.stop();

      const name = `${topic}-list-${run}`;
      const peer = await caughtUp({ topic, register: true, name, extraArgs: ['--state-dir', own] });
      await passing(name);
      const replica = await caughtUp({ topic, register: true, name, extraArgs: ['--state-dir', empty] });
      seeded.push(replica.seconds);
      await Promise.all([peer.service.stop(), replica.service.stop()]);

      const latency = await p99WhileWriting(topic, own);
      p99.usual.push(latency.usual);
      p99.during.push(latency.during);
      ctx.log(
        `P7 run ${run + 1}: full replay ${full[run]!.toFixed(2)} s, from its snapshot ${restored[run]!.toFixed(2)} s, seeded by a peer ${seeded[run]!.toFixed(2)} s; GET p99 ${latency.usual} ms, ${latency.during} ms while writing snapshots`,
      );
    } finally {
      rmSync(own, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
  }
  const events = ctx.events.toLocaleString('en');
  const againstFullReplay = (what: string, values: number[]) =>
    figure({
      id: 'P7',
      what,
      unit: 's',
      values,
      baselineName: 'full replay',
      baselines: full,
      goal: '≤ 1.0 s and ≤ 0.15 × full replay',
      meets: (s, ratio) => s <= 1 && ratio <= 0.15,
    });
  return [
    againstFullReplay(`restart of list-books with ${events} events → caught up, from its snapshot`, restored),
    againstFullReplay('a new replica (empty state dir) seeded by a passing peer → caught up', seeded),
    figure({
      id: 'P7',
      what: `p99 of GET /:id while snapshots of the whole shelf are written (wrk ${LOAD.connections} × ${LOAD.seconds} s)`,
      unit: 'ms',
      values: p99.during,
      baselineName: 'same, no snapshot',
      baselines: p99.usual,
      goal: '≤ 2 × without',
      meets: (_, ratio) => ratio <= 2,
    }),
  ];
}
