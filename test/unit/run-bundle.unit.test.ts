/**
 * bookshelf/bin/run-bundle.js: a bundle runs with V8's code cache beside it when there is a right one, and from its
 * source otherwise. Each run is a process of its own, as a service's start is: V8 takes a code cache only for a
 * script it has not compiled yet.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binDir } from '../../harness/repo-root.js';

interface Run {
  cache: 'used' | 'refused' | 'none' | 'off';
  answer: unknown;
}

/** Runs the bundle at `path` in a new process, which writes the cache at once (when it has none) and exits. */
const runBundle = (path: string, nodeArgs: string[] = []) =>
  new Promise<Run>((resolve, reject) => {
    const script = `
      const { requireBundle } = await import(${JSON.stringify(pathToFileURL(join(binDir, 'run-bundle.js')).href)});
      const { exports, cache } = requireBundle(${JSON.stringify(path)}, { writeAfterMs: 0 });
      setTimeout(() => console.log(JSON.stringify({ cache, answer: exports.answer() })), 50);`;
    execFile(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Run);
    });
  });

/** A bundle whose answer is `word` in capitals and its own file and folder, found through its own require. */
const bundleText = (word: string) => `
  const { basename } = require('node:path');
  function shout(text) { return text.toUpperCase(); }
  module.exports.answer = () => ({ word: shout(${JSON.stringify(word)}), file: basename(__filename), inDir: basename(__dirname), same: exports === module.exports });
`;

describe('a bundle run through run-bundle.js', () => {
  let dir: string;
  let bundle: string;
  const caches = () => readdirSync(dir).filter((name) => name.endsWith('.cache'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bookshelf-bundle-'));
    bundle = join(dir, 'entries.cjs');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs from its source the first time, with its own require, module, __filename and __dirname', async () => {
    // Given a bundle never run
    writeFileSync(bundle, bundleText('first'));
    // When it runs
    const run = await runBundle(bundle);
    // Then it had no cache, answers as a CommonJS module, and leaves a cache named for this Node.js
    expect(run).toEqual({ cache: 'none', answer: { word: 'FIRST', file: 'entries.cjs', inDir: dir.split('/').at(-1), same: true } });
    expect(caches()).toEqual([
      expect.stringMatching(new RegExp(`^entries\\.cjs\\.${process.version.replace(/\./g, '\\.')}-\\d+-\\d+\\.cache$`)),
    ]);
  });

  it('runs from its cache the next time, with the same answer', async () => {
    // Given a bundle run once
    writeFileSync(bundle, bundleText('again'));
    const first = await runBundle(bundle);
    // When it runs again
    const second = await runBundle(bundle);
    // Then V8 took the cache
    expect(second).toEqual({ ...first, cache: 'used' });
  });

  it('does not take the cache of the bundle it replaced, even of the same length', async () => {
    // Given a bundle run once, then rebuilt with other code of the same length
    writeFileSync(bundle, bundleText('old'));
    await runBundle(bundle);
    writeFileSync(bundle, bundleText('new'));
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    // When it runs
    const run = await runBundle(bundle);
    // Then it runs the new code from its source
    expect(run).toMatchObject({ cache: 'none', answer: { word: 'NEW' } });
  });

  it('runs from its source when the cache is not one V8 made, and writes a good one in its place', async () => {
    // Given a bundle run once, then its cache overwritten with other bytes
    writeFileSync(bundle, bundleText('scrambled'));
    await runBundle(bundle);
    const [cache] = caches();
    writeFileSync(join(dir, cache!), Buffer.alloc(4096, 7));
    // When it runs
    const run = await runBundle(bundle);
    // Then V8 refused the cache and the bundle ran as it should
    expect(run).toMatchObject({ cache: 'refused', answer: { word: 'SCRAMBLED' } });
    // And it wrote a good one in its place, which the next start uses
    expect(await runBundle(bundle)).toMatchObject({ cache: 'used', answer: { word: 'SCRAMBLED' } });
  });

  it("runs through Node's own loader under --enable-source-maps, so that its stack traces name the sources", async () => {
    // Given a bundle made by esbuild, with its source map, from a source whose answer is a stack trace
    const source = join(dir, 'answer.ts');
    writeFileSync(source, 'export const answer = (): string => new Error("here").stack ?? "";\n');
    buildSync({
      entryPoints: [source],
      outfile: bundle,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      sourcemap: true,
      logLevel: 'silent',
    });
    // When it runs with source maps on
    const run = await runBundle(bundle, ['--enable-source-maps']);
    // Then the stack names the source file, and no cache is made
    expect(run.cache).toBe('off');
    expect(run.answer).toContain('answer.ts:1');
    expect(caches()).toEqual([]);
  });
});
