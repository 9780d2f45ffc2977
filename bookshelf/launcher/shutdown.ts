/** Stops the children (they deregister), then what infra.sh started for this run; exits. */
import { setTimeout as delay } from 'node:timers/promises';
import { requestText } from '../adapters/http/request-text.js';
import { infraScript, runCommand } from './infra.js';
import { say, type RunningService, type ShelfRun } from './shelf-run.js';

export function shutdown(run: ShelfRun, code: number): Promise<void> {
  run.stopping ??= stopAll(run, code);
  return run.stopping;
}

async function stopAll(run: ShelfRun, code: number): Promise<void> {
  const grace = run.settings.stopGraceMs;
  await run.infraUp?.catch(() => {});
  const alive = run.children.filter((child) => !child.exit);
  if (alive.length) say(`stopping ${alive.map((child) => child.entry).join(', ')}`);
  for (const child of alive) child.child.kill('SIGTERM');
  const stragglers = await Promise.race([
    Promise.all(alive.map((child) => child.exited)).then((): RunningService[] => []),
    delay(grace).then(() => alive.filter((child) => !child.exit)),
  ]);
  for (const child of stragglers) {
    say(`${child.entry} did not stop within ${grace / 1000}s; killing it`);
    child.child.kill('SIGKILL');
    await child.exited;
  }
  // One that was killed or crashed could not deregister itself: this run registered it, so it removes it.
  for (const child of run.children.filter((c) => c.consulId && (c.exit?.signal || c.exit?.code !== 0))) {
    const id = child.consulId ?? '';
    await requestText(`http://${run.consul}/v1/agent/service/deregister/${encodeURIComponent(id)}`, {
      method: 'PUT',
      timeoutMs: 3000,
    }).then(
      () => say(`${child.entry} deregistered (${id}): it could not do it itself`),
      (error: Error) => say(`could not deregister ${id}: ${error.message}`),
    );
  }
  if (run.infraStarted.length) {
    // Its own process group: a second Ctrl-C must not cut Kafka's shutdown short.
    await runCommand(run.settings.root, 'bash', [infraScript(run), 'down', ...run.infraStarted], { onLine: say, detached: true });
  }
  say(code === 0 ? 'stopped' : 'stopped after a failure');
  process.exit(code);
}
