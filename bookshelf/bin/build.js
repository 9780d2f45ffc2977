#!/usr/bin/env node
// `npm run build`: compiles bookshelf/ into dist/, then bundles each process's entry into one file in dist/bundle/.
// A service loads one file instead of some 600 (its own modules and its dependencies'): a start takes a fifth of a
// second less, and less again from V8's code cache (run-bundle.js). Without esbuild (installed without dev
// dependencies) the services run from dist/ as compiled.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
export const bundleDir = join(dist, 'bundle');

/** The entries bundled, from the compiled code: the services and `npm start`'s launcher, run through run-bundle.js. */
const entries = {
  entries: join(dist, 'services', 'entries.js'),
  launcher: join(dist, 'launcher', 'start.js'),
};
/** The thread that fetches for a service, which Node.js starts from its file as a module. */
const workers = { 'fetch-worker': join(dist, 'adapters', 'kafka', 'fetch-worker.js') };

/**
 * string-width (yargs' and cliui's, for --help) builds regular expressions of Unicode properties and an
 * Intl.Segmenter as it loads: some 40 ms of every start, which prints no help. In a bundle it loads on its first call.
 */
export const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async ({ resolveDir, kind, pluginData }) => {
      if (pluginData === 'real') return undefined;
      const real = await build.resolve('string-width', { resolveDir, kind, pluginData: 'real' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, ({ path }) => ({
      contents: `let width;
        export default function stringWidth(text, options) {
          width ??= require(${JSON.stringify(path)}).default;
          return width(text, options);
        }`,
      resolveDir: dirname(path),
    }));
  },
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
  const shared = {
    write: false,
    outdir: bundleDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  };
  const [scripts, modules] = await Promise.all([
    // CommonJS, so that run-bundle.js can hand V8 its code cache (Node.js 20 has none for modules). `import.meta`
    // (the bundle's own URL, to find package.json, the web page and the fetch worker) is made from __filename.
    esbuild.build({
      ...shared,
      entryPoints: entries,
      format: 'cjs',
      outExtension: { '.js': '.cjs' },
      plugins: [lazyStringWidth],
      define: { 'import.meta': '__bundleMeta' },
      // "use strict" first: the code is ES modules', strict, and a directive after the banner's line would be none.
      banner: {
        js: "'use strict';\nconst __bundleMeta = { url: require('node:url').pathToFileURL(__filename).href, resolve: (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href };",
      },
    }),
    esbuild.build({
      ...shared,
      entryPoints: workers,
      format: 'esm',
      // The CommonJS dependencies (kafkajs) call require; an ES module has none of its own.
      banner: { js: "import { createRequire as bundledRequire } from 'node:module'; const require = bundledRequire(import.meta.url);" },
    }),
  ]);
  // Each file written aside and renamed into place: a service starting meanwhile loads the old bundle or the new one.
  mkdirSync(bundleDir, { recursive: true });
  // The entries last: once a service can load the new one, the new fetch worker is there too.
  const files = [...modules.outputFiles, ...scripts.outputFiles];
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  // The code caches of earlier bundles, and files of earlier layouts.
  const written = new Set(files.map((file) => basename(file.path)));
  for (const name of readdirSync(bundleDir))
    if (!written.has(name) && !name.endsWith('.tmp')) rmSync(join(bundleDir, name), { force: true });
  return true;
}

// `--bundle-only`: the compiled code is as its sources are; bundle it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const status = process.argv.includes('--bundle-only') ? 0 : compile();
  if (status !== 0) process.exit(status);
  if (!(await bundle())) process.stderr.write('bookshelf: esbuild is missing, the services run unbundled from dist/\n');
}
