// Runs an entry from the compiled code in dist/, compiling first when the sources are newer.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const stamp = join(dist, 'services', 'entries.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureBuilt() {
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(join(root, 'bookshelf'))) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    if (existsSync(stamp)) return;
    process.stderr.write('bookshelf: not built and TypeScript is missing: run `npm install` in the repository first\n');
    process.exit(1);
  }
  process.stderr.write('bookshelf: compiling…\n');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

export async function launch(entry) {
  ensureBuilt();
  const { runEntry } = await import(join(dist, 'services', 'entries.js'));
  await runEntry(entry);
}
