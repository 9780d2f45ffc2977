/**
 * P2 serving: requests/s and p99 latency of `GET /` on `last-read` (caught up on the replay topic)
 * against a one-middleware Koa app answering the same bytes, same load (wrk), same run; bare node:http for reference.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { repoRoot, startListening } from '../support/services.js';
import { wrk } from '../support/wrk.js';

const LOAD = { connections: 32, seconds: 5 };

/** Starts a baseline server (bare-http or koa-min) answering `body`. */
async function startBaseline(script: string, body: Buffer, contentType: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = join(repoRoot, '.bench');
  // A fresh clone has no .bench/ until the first run writes its results.
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'p2-body.json');
  writeFileSync(file, body);
  const child = spawn(process.execPath, [join(repoRoot, 'dist-bench', 'bench', 'baselines', script), file, contentType], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    url: `http://127.0.0.1:${chunk.toString().trim()}`,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export async function servingFigures(ctx: BenchContext, topic: string): Promise<Figure[]> {
  const view = await startListening('last-read', { topic });
  try {
    await view.waitForLog('caught up with the log', 600_000);
    const response = await fetch(`${view.url}/`);
    const body = Buffer.from(await response.arrayBuffer());
    // Conditional GET: a client that polls with the ETag it has gets 304 and no body while nothing changed.
    const etag = response.headers.get('etag');
    if (etag === null) throw new Error('P2: GET / on last-read has no ETag');
    const revalidated = await fetch(`${view.url}/`, { headers: { 'If-None-Match': etag } });
    if (revalidated.status !== 304)
      throw new Error(
        `P2: If-None-Match of the current ETag answered ${revalidated.status}, not 304 (ETag ${etag}, then ${revalidated.headers.get('etag')})`,
      );
    const contentType = response.headers.get('content-type') ?? 'application/json';
    const bare = await startBaseline('bare-http.js', body, contentType);
    const koa = await startBaseline('koa-min.js', body, contentType);
    try {
      const targets = { service: `${view.url}/`, bare: `${bare.url}/`, koa: `${koa.url}/` };
      // One short warm-up each, so that all are measured with their code optimised.
      for (const url of Object.values(targets)) await wrk(url, { ...LOAD, seconds: 1 });
      const rps = { service: [] as number[], bare: [] as number[], koa: [] as number[] };
      const p99 = { service: [] as number[], bare: [] as number[], koa: [] as number[] };
      const notModified: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        for (const [name, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
          const result = await wrk(url, LOAD);
          if (result.failed > 0) throw new Error(`P2: ${name} failed ${result.failed} requests`);
          rps[name].push(result.rps);
          p99[name].push(result.p99Ms);
        }
        const conditional = await wrk(targets.service, { ...LOAD, headers: { 'If-None-Match': etag } });
        if (conditional.failed > 0) throw new Error(`P2: the conditional GET failed ${conditional.failed} requests`);
        notModified.push(conditional.rps);
        ctx.log(
          `P2 run ${run + 1}: last-read ${Math.round(rps.service[run]!)} req/s (p99 ${p99.service[run]} ms), bare ${Math.round(rps.bare[run]!)} req/s (p99 ${p99.bare[run]} ms), minimal Koa ${Math.round(rps.koa[run]!)} req/s; 304 for If-None-Match ${Math.round(notModified[run]!)} req/s`,
        );
      }
      const what = `GET / on last-read, ${body.length} bytes, wrk ${LOAD.connections} connections × ${LOAD.seconds} s`;
      return [
        // Koa is a given: the goal is what the view's own middleware costs on top of it, measured in the same run.
        figure({
          id: 'P2',
          what,
          unit: 'req/s',
          values: rps.service,
          baselineName: 'one-middleware Koa',
          baselines: rps.koa,
          goal: '≥ 0.9 × Koa',
          meets: (_, ratio) => ratio >= 0.9,
        }),
        figure({
          id: 'P2',
          what: 'p99 latency of the same',
          unit: 'ms',
          values: p99.service,
          baselineName: 'one-middleware Koa',
          baselines: p99.koa,
          goal: '≤ 1.5 × Koa',
          meets: (_, ratio) => ratio <= 1.5,
        }),
        figure({
          id: 'P2 304',
          what: 'the same GET with If-None-Match of the current ETag → 304 Not Modified, no body',
          unit: 'req/s',
          values: notModified,
          baselineName: 'the full answer (P2)',
          baselines: rps.service,
          goal: '(reported)',
        }),
        figure({
          id: 'P2 ref',
          what: 'bare node:http answering the same bytes (no framework)',
          unit: 'req/s',
          values: rps.bare,
          baselineName: 'one-middleware Koa',
          baselines: rps.koa,
          goal: '(reference)',
        }),
      ];
    } finally {
      await Promise.all([bare.stop(), koa.stop()]);
    }
  } finally {
    await view.stop();
  }
}
