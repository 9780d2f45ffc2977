import { defineConfig } from 'vitest/config';
import { testStateHome } from './test/support/state-home.js';

// The fault suite (minutes long, with brokers and agents of its own) runs only when asked for:
// `npm run test:faults` (vitest run --project faults), or a file under test/faults or test/fuzz.
const faultsAsked = process.argv.some((arg) => /\bfaults\b|test\/(faults|fuzz)\//.test(arg));
const faults = {
  extends: true as const,
  test: {
    name: 'faults',
    include: ['test/faults/**/*.fault.test.ts', 'test/fuzz/**/*.fuzz.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // One file at a time: each starts brokers, agents and processes of its own on a 2-core machine.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
    sequence: { groupOrder: 2 },
  },
};

export default defineConfig({
  test: {
    // Services started by tests keep their snapshots under a folder of this run, never the user's state dir.
    env: { XDG_STATE_HOME: testStateHome },
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.unit.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts', 'test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
      ...(faultsAsked ? [faults] : []),
    ],
  },
});
