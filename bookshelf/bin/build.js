#!/usr/bin/env node
// `npm run build`: compiles bookshelf/ into dist/, then bundles each process's entry into one file in dist/bundle/.
// A service loads one file instead of some 600 (its own modules and its dependencies'): a start takes a fifth of a
// second less. Without esbuild (installed without dev dependencies) the services run from dist/ as compiled.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
export const bundleDir = join(dist, 'bundle');

/** The entries bundled, from the compiled code: the services, the thread that fetches for them, and `npm start`'s launcher. */
const entries = {
  entries: join(dist, 'services', 'entries.js'),
  'fetch-worker': join(dist, 'adapters', 'kafka', 'fetch-worker.js'),
  launcher: join(dist, 'launcher', 'start.js'),
};

export function compile() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  return result.status ?? 1;
}

export async function bundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  const { outputFiles } = await esbuild.build({
    entryPoints: entries,
    write: false,
    outdir: bundleDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    // The CommonJS dependencies (kafkajs, koa, …) call require; an ES module has none of its own.
    banner: { js: "import { createRequire as bundledRequire } from 'node:module'; const require = bundledRequire(import.meta.url);" },
  });
  // Each file written aside and renamed into place: a service starting meanwhile loads the old bundle or the new one.
  mkdirSync(bundleDir, { recursive: true });
  // The entries last: once a service can load the new one, the new fetch worker is there too.
  const last = join(bundleDir, 'entries.js');
  for (const file of [...outputFiles].sort((a, b) => Number(a.path === last) - Number(b.path === last))) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return true;
}

// `--bundle-only`: the compiled code is as its sources are; bundle it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const status = process.argv.includes('--bundle-only') ? 0 : compile();
  if (status !== 0) process.exit(status);
  if (!(await bundle())) process.stderr.write('bookshelf: esbuild is missing, the services run unbundled from dist/\n');
}
