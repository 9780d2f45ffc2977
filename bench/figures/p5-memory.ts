/**
 * P5 memory: RSS of `list-books` caught up on a shelf of a million books, less its RSS on an
 * empty topic, per book; against the same books kept in a plain Map by a bare node process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { shelfLine } from '../support/book-events.js';
import { newTopic, produceLines } from '../support/kafka.js';
import { repoRoot, startService } from '../support/services.js';

/** How long a caught-up view is left alone before its RSS is read. */
const SETTLE_MS = 2000;

async function caughtUpRss(topic: string): Promise<number> {
  const view = startService('list-books', { topic });
  try {
    await view.waitForLog('caught up with the log', 600_000);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return view.rss();
  } finally {
    await view.stop();
  }
}

async function bareBytesPerBook(count: number): Promise<number> {
  const script = join(repoRoot, 'dist-bench', 'bench', 'baselines', 'bare-rows.js');
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script, String(count)], { maxBuffer: 1 << 20 });
  return Number(stdout.trim());
}

export async function memoryFigures(ctx: BenchContext): Promise<Figure[]> {
  const [shelf, empty] = await Promise.all([newTopic(ctx, 'shelf'), newTopic(ctx, 'shelf-empty')]);
  const seconds = await produceLines(shelf, ctx.events, shelfLine);
  ctx.log(`P5: ${ctx.events} books written to ${shelf} in ${seconds.toFixed(1)} s`);
  const service: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const base = await caughtUpRss(empty);
    const full = await caughtUpRss(shelf);
    service.push((full - base) / ctx.events);
    bare.push(await bareBytesPerBook(ctx.events));
    ctx.log(
      `P5 run ${run + 1}: list-books ${Math.round(base / 2 ** 20)} MiB empty, ${Math.round(full / 2 ** 20)} MiB with ${ctx.events} books: ${Math.round(service[run]!)} B/book; bare Map ${Math.round(bare[run]!)} B/book`,
    );
  }
  return [
    figure({
      id: 'P5',
      what: `list-books RSS growth per book at ${ctx.events.toLocaleString('en')} books`,
      unit: 'B',
      values: service,
      baselineName: 'plain Map of parsed payloads, after GC',
      baselines: bare,
      goal: '≤ 400 B',
      meets: (bytes) => bytes <= 400,
    }),
  ];
}
