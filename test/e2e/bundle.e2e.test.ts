import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binDir, repoRoot } from '../../harness/repo-root.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const run = (file: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [file, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });

describe('the entries, bundled', () => {
  it("run from dist/bundle, which the set-up made from the compiled code as it is, and so does npm start's launcher", async () => {
    const { builtEntries, builtLauncher } = (await import(join(binDir, 'launch.js'))) as {
      builtEntries: () => string;
      builtLauncher: () => string;
    };
    expect(builtEntries()).toBe(join(repoRoot, 'dist', 'bundle', 'entries.cjs'));
    expect(builtLauncher()).toBe(join(repoRoot, 'dist', 'bundle', 'launcher.cjs'));
  });

  it('run in strict mode, as the ES modules they are made from', () => {
    for (const name of ['entries.cjs', 'launcher.cjs']) {
      const [first] = readFileSync(join(repoRoot, 'dist', 'bundle', name), 'utf8').split('\n', 1);
      expect(first, name).toBe("'use strict';");
    }
  });

  it('find package.json from the bundle: every entry prints its version', async () => {
    for (const entry of ['last-read', 'list-books', 'books', 'shelf']) {
      expect(await run(join(binDir, `${entry}.js`), ['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });

  it('print their help through yargs, whose string-width loads only then', async () => {
    const help = await run(join(binDir, 'list-books.js'), ['--help']);
    expect(help).toMatchObject({ code: 0 });
    // Columns laid out by width: every option's description starts in the same column.
    const columns = help.stdout
      .split('\n')
      .map((line) => /^(\s+(?:-\w, )?--\S+\s+)\S/u.exec(line)?.[1]?.length)
      .filter((column) => column !== undefined);
    expect(columns.length).toBeGreaterThan(10);
    expect(new Set(columns).size).toBe(1);
  });
});
