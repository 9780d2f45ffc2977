/**
 * `npm run bench`: every figure of the performance goals against its baseline, measured in this run
 * against the local Kafka and Consul; prints one table and writes it to .bench/results.json.
 *
 *   node dist-bench/bench/run.js [--runs N] [--events N] [--only P1,P3]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchContext, Figure } from './support/figure.js';
import { deleteTopics } from './support/kafka.js';
import { repoRoot } from './support/services.js';
import { renderTable } from './support/table.js';
import { makeReplayTopic, replayFigures } from './figures/p1-replay.js';
import { servingFigures } from './figures/p2-serving.js';
import { freshnessFigures } from './figures/p3-freshness.js';
import { startupFigures } from './figures/p4-startup.js';
import { memoryFigures } from './figures/p5-memory.js';
import { commandFigures } from './figures/p6-commands.js';
import { snapshotFigures } from './figures/p7-snapshots.js';
import { failoverFigures } from './figures/p8-failover.js';
import { liveChangeFigures } from './figures/p9-live-changes.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    events: { type: 'string', default: '1000000' },
    only: { type: 'string' },
  },
});

const only = args.only ? new Set(args.only.split(',').map((id) => id.trim().toUpperCase())) : null;
const wanted = (id: string): boolean => only === null || only.has(id);
const known = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9'];
const unknown = [...(only ?? [])].filter((id) => !known.includes(id));
if (unknown.length > 0) {
  process.stderr.write(`bookshelf bench: --only names no figure ${unknown.join(',')} (known: ${known.join(',')})\n`);
  process.exit(2);
}
const started = Date.now();

const ctx: BenchContext = {
  runs: Number(args.runs),
  events: Number(args.events),
  topics: [],
  log: (message) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`),
};

const machine = {
  date: new Date().toISOString(),
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
};

async function main(): Promise<void> {
  ctx.log(`bench on ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load ${machine.loadAverage.join(' ')}`);
  const figures: Figure[] = [];
  try {
    const replayTopic = wanted('P1') || wanted('P2') ? await makeReplayTopic(ctx) : '';
    if (wanted('P1')) figures.push(...(await replayFigures(ctx, replayTopic)));
    if (wanted('P2')) figures.push(...(await servingFigures(ctx, replayTopic)));
    if (wanted('P3')) figures.push(...(await freshnessFigures(ctx)));
    if (wanted('P4')) figures.push(...(await startupFigures(ctx)));
    if (wanted('P5')) figures.push(...(await memoryFigures(ctx)));
    if (wanted('P6')) figures.push(...(await commandFigures(ctx)));
    if (wanted('P7')) figures.push(...(await snapshotFigures(ctx)));
    if (wanted('P8')) figures.push(...(await failoverFigures(ctx)));
    if (wanted('P9')) figures.push(...(await liveChangeFigures(ctx)));
  } finally {
    await deleteTopics(ctx.topics).catch((error: Error) => ctx.log(`could not delete topics: ${error.message}`));
  }
  const minutes = (Date.now() - started) / 60_000;
  const results = {
    machine: { ...machine, loadAverageAfter: loadavg().map((load) => Number(load.toFixed(2))) },
    runs: ctx.runs,
    events: ctx.events,
    minutes,
    figures,
  };
  process.stdout.write(`${renderTable(results)}\n`);
  const dir = join(repoRoot, '.bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  ctx.log(`written to .bench/results.json (${minutes.toFixed(1)} min)`);
}

await main();
