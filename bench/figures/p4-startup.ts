/**
 * P4 start-up: from spawning `last-read` on an empty topic to its Consul check passing,
 * against a bare node process that listens and registers a passing check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { CONSUL, newTopic } from '../support/kafka.js';
import { repoRoot, startService } from '../support/services.js';

/** Resolves with Date.now() once a check of service `name` is passing in the local agent. */
async function passingAt(name: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`http://${CONSUL}/v1/health/checks/${name}`).catch(() => null);
    const checks = response?.ok ? ((await response.json()) as { Status: string }[]) : [];
    if (checks.some((check) => check.Status === 'passing')) return Date.now();
    if (Date.now() > deadline) throw new Error(`P4: ${name} not passing in Consul within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

async function serviceRun(topic: string, name: string): Promise<number> {
  const view = startService('last-read', { topic, register: true, name });
  try {
    return ((await passingAt(name)) - view.spawnedAt) / 1000;
  } finally {
    await view.stop();
  }
}

async function bareRun(name: string): Promise<number> {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [join(repoRoot, 'dist-bench', 'bench', 'baselines', 'bare-register.js'), CONSUL, name], {
    stdio: 'inherit',
  });
  try {
    return ((await passingAt(name)) - spawnedAt) / 1000;
  } finally {
    await stopChild(child);
  }
}

export async function startupFigures(ctx: BenchContext): Promise<Figure[]> {
  const topic = await newTopic(ctx, 'empty');
  const service: number[] = [];
  const bare: number[] = [];
  const runs = Math.max(ctx.runs, 5);
  for (let run = 0; run < runs; run++) {
    // A name of its own each time: a passing check left from the run before must not count.
    service.push(await serviceRun(topic, `${topic}-view-${run}`));
    bare.push(await bareRun(`${topic}-bare-${run}`));
    ctx.log(`P4 run ${run + 1}: last-read passing after ${service[run]!.toFixed(2)} s, bare after ${bare[run]!.toFixed(2)} s`);
  }
  return [
    figure({
      id: 'P4',
      what: 'start → Consul check passing, last-read on an empty topic',
      unit: 's',
      values: service,
      baselineName: 'bare node + register',
      baselines: bare,
      goal: '≤ 1.0 s',
      meets: (s) => s <= 1,
    }),
  ];
}
