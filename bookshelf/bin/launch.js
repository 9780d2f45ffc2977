// Runs an entry from the built code in dist/ (bundled when it can be), building first when the sources are newer.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, bundleDir, compile } from './build.js';
import { requireBundle } from './run-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const stamp = join(dist, 'services', 'entries.js');
const bundled = join(bundleDir, 'entries.cjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : -1);

export async function ensureBuilt() {
  if (mtime(stamp) < newestSource(join(root, 'bookshelf'))) {
    if (!existsSync(join(root, 'node_modules', 'typescript', 'bin', 'tsc'))) {
      if (existsSync(stamp)) return;
      process.stderr.write('bookshelf: not built and TypeScript is missing: run `npm install` in the repository first\n');
      process.exit(1);
    }
    process.stderr.write('bookshelf: compiling…\n');
    const status = compile();
    if (status !== 0) process.exit(status);
  }
  if (mtime(bundled) < mtime(stamp)) await bundle();
}

/** The built module that runs the entries: the bundle only when it was made from the compiled code as it is now. */
export const builtEntries = () => (mtime(bundled) >= mtime(stamp) ? bundled : stamp);

/** The same for `npm start`'s launcher. */
export function builtLauncher() {
  const launcher = join(bundleDir, 'launcher.cjs');
  return mtime(launcher) >= mtime(stamp) ? launcher : join(dist, 'launcher', 'start.js');
}

/** A built module's exports: a bundle through run-bundle.js, the compiled code as the module it is. */
export const loadBuilt = async (path) => (path.endsWith('.cjs') ? requireBundle(path).exports : import(path));

export async function launch(entry) {
  await ensureBuilt();
  const { runEntry } = await loadBuilt(builtEntries());
  await runEntry(entry);
}
