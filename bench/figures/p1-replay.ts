/**
 * P1 replay: a view (or books, which folds the same log into its book states) started on a topic of
 * book-added/book-read events, until it reports caught up, against kcat reading the same topic to /dev/null.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { replayLine } from '../support/book-events.js';
import { KAFKA, kcatReadSeconds, newTopic, produceLines } from '../support/kafka.js';
import { repoRoot, startService } from '../support/services.js';

const replayers = ['last-read', 'list-books', 'books'] as const;
type Replayer = (typeof replayers)[number];

/** Seconds from spawning the view to its "caught up with the log" line, and CPU seconds then: its main thread's, and all. */
export async function replaySeconds(entry: Replayer, topic: string): Promise<{ seconds: number; mainCpu: number; cpu: number }> {
  const view = startService(entry, { topic });
  try {
    const line = await view.waitForLog('caught up with the log', 600_000);
    const pid = view.child.pid!;
    return {
      seconds: (Number(line.time) - view.spawnedAt) / 1000,
      mainCpu: cpuSeconds(`/proc/${pid}/task/${pid}/stat`),
      cpu: cpuSeconds(`/proc/${pid}/stat`),
    };
  } finally {
    await view.stop();
  }
}

/** utime + stime of a /proc stat file, in seconds (at the usual 100 ticks a second). */
function cpuSeconds(statFile: string): number {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Seconds from spawning kafkajs alone (no projection; each value parsed as JSON with `parse`) to its having read the topic. */
async function bareKafkajsSeconds(topic: string, parse = false): Promise<number> {
  const started = performance.now();
  const script = join(repoRoot, 'dist-bench', 'bench', 'baselines', 'bare-kafkajs.js');
  await promisify(execFile)(process.execPath, [script, KAFKA, topic, ...(parse ? ['parse'] : [])]);
  return (performance.now() - started) / 1000;
}

export async function makeReplayTopic(ctx: BenchContext): Promise<string> {
  const topic = await newTopic(ctx, 'replay');
  const seconds = await produceLines(topic, ctx.events, replayLine);
  ctx.log(`P1: ${ctx.events} events written to ${topic} in ${seconds.toFixed(1)} s`);
  return topic;
}

export async function replayFigures(ctx: BenchContext, topic: string): Promise<Figure[]> {
  const kcat: number[] = [];
  const bare: number[] = [];
  const parsing: number[] = [];
  const rates: Record<Replayer, number[]> = { 'last-read': [], 'list-books': [], books: [] };
  for (let run = 0; run < ctx.runs; run++) {
    kcat.push(ctx.events / (await kcatReadSeconds(topic)));
    const cpu: string[] = [];
    for (const entry of replayers) {
      const replay = await replaySeconds(entry, topic);
      rates[entry].push(ctx.events / replay.seconds);
      const perEvent = (seconds: number) => ((seconds / ctx.events) * 1e6).toFixed(2);
      cpu.push(`${entry} ${perEvent(replay.mainCpu)} µs main thread, ${perEvent(replay.cpu)} µs all threads`);
    }
    bare.push(ctx.events / (await bareKafkajsSeconds(topic)));
    parsing.push(ctx.events / (await bareKafkajsSeconds(topic, true)));
    ctx.log(
      `P1 run ${run + 1}: kcat ${fmt(kcat[run]!)}/s, last-read ${fmt(rates['last-read'][run]!)}/s, list-books ${fmt(rates['list-books'][run]!)}/s, books ${fmt(rates.books[run]!)}/s, kafkajs alone ${fmt(bare[run]!)}/s, parsing each value ${fmt(parsing[run]!)}/s; CPU an event: ${cpu.join('; ')}`,
    );
  }
  const events = ctx.events.toLocaleString('en');
  return [
    ...replayers.map((entry) =>
      figure({
        id: 'P1',
        what: `replay ${events} events, start → ${entry} caught up`,
        unit: 'events/s',
        values: rates[entry],
        baselineName: 'kcat -C -e',
        baselines: kcat,
        goal: '≥ 0.25 × kcat',
        meets: (_, ratio) => ratio >= 0.25,
      }),
    ),
    figure({
      id: 'P1 ref',
      what: `kafkajs alone reading the same ${events} events (the client's ceiling)`,
      unit: 'events/s',
      values: bare,
      baselineName: 'kcat -C -e',
      baselines: kcat,
      goal: '(reference)',
    }),
    figure({
      id: 'P1 ref',
      what: `kafkajs alone reading them and parsing each value as JSON, in one thread (the least a view does)`,
      unit: 'events/s',
      values: parsing,
      baselineName: 'kcat -C -e',
      baselines: kcat,
      goal: '(reference)',
    }),
  ];
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en');
