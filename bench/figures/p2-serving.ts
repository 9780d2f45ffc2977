/**
 * P2 serving: requests/s and p99 latency of `GET /` on `last-read` (caught up on the replay topic)
 * against a bare node:http server answering the same bytes, same load, same run.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { load, type LoadOptions } from '../support/load.js';
import { repoRoot, startListening } from '../support/services.js';

const LOAD: LoadOptions = { connections: 32, seconds: 5 };

async function startBare(body: Buffer, contentType: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const file = join(repoRoot, '.bench', 'p2-body.json');
  writeFileSync(file, body);
  const child = spawn(process.execPath, [join(repoRoot, 'dist-bench', 'baselines', 'bare-http.js'), file, contentType], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
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
    const bare = await startBare(body, response.headers.get('content-type') ?? 'application/json');
    try {
      // One short warm-up each, so both are measured with their code optimised.
      await load(`${view.url}/`, { ...LOAD, seconds: 1 });
      await load(`${bare.url}/`, { ...LOAD, seconds: 1 });
      const service = { rps: [] as number[], p99: [] as number[] };
      const baseline = { rps: [] as number[], p99: [] as number[] };
      for (let run = 0; run < ctx.runs; run++) {
        const a = await load(`${view.url}/`, LOAD);
        const b = await load(`${bare.url}/`, LOAD);
        if (a.non2xx + a.errors > 0) throw new Error(`P2: last-read answered ${a.non2xx} non-2xx, ${a.errors} errors`);
        service.rps.push(a.ok);
        service.p99.push(a.p99Ms);
        baseline.rps.push(b.ok);
        baseline.p99.push(b.p99Ms);
        ctx.log(`P2 run ${run + 1}: last-read ${Math.round(a.ok)} req/s (p99 ${a.p99Ms} ms), bare ${Math.round(b.ok)} req/s (p99 ${b.p99Ms} ms)`);
      }
      const what = `GET / on last-read, ${body.length} bytes, ${LOAD.connections} connections × ${LOAD.seconds} s`;
      return [
        figure({ id: 'P2', what, unit: 'req/s', values: service.rps, baselineName: 'bare node:http', baselines: baseline.rps, goal: '≥ 0.8 × bare', meets: (_, ratio) => ratio >= 0.8 }),
        figure({ id: 'P2', what: 'p99 latency of the same', unit: 'ms', values: service.p99, baselineName: 'bare node:http', baselines: baseline.p99, goal: '(reported)' }),
      ];
    } finally {
      await bare.stop();
    }
  } finally {
    await view.stop();
  }
}
