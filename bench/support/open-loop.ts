/** Sends at a fixed rate whatever the answers do (open loop), so a slow answer cannot slow the load down. */

/** Calls `task(i)` for i = 0 … count-1 at `perSecond`, and resolves when every call has settled. */
export async function atRate(perSecond: number, count: number, task: (i: number) => Promise<void>): Promise<void> {
  const interval = 1000 / perSecond;
  const start = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < count;) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(wait))));
      continue;
    }
    running.push(task(i++));
  }
  await Promise.all(running);
}
