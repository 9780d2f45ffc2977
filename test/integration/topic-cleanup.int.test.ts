/** Tests share the broker with the user's own shelf: a test file deletes every topic it made, also when it failed. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testKafka, unique } from '../support/infra.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function runFixture(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/support/fixtures/vitest.config.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('a test file that made topics and failed', () => {
  it('leaves none of them on the broker', async () => {
    const topic = unique('fixture-topic');
    const { code, output } = await runFixture({ FIXTURE_TOPIC: topic });
    expect(code).not.toBe(0);
    expect(output).toContain('failing on purpose');
    const made = /made topic (\S+)/.exec(output)?.[1];
    expect(made).toBeDefined();
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topics).not.toContain(topic);
      expect(topics).not.toContain(made);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);
});
