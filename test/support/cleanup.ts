/** Steps a test file undoes after its tests, last first: `const cleanup = cleanupAfterAll(); cleanup.push(() => …)`. */
import { afterAll } from 'vitest';

export function cleanupAfterAll(): (() => unknown)[] {
  const steps: (() => unknown)[] = [];
  afterAll(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  return steps;
}
