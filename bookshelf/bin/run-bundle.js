// Runs a CommonJS bundle of dist/bundle with V8's code cache beside it. A process that finds the cache skips parsing
// and compiling what an earlier start of the same bundle compiled: some 60 ms less from spawn to listening. Node.js
// 20 has no compile cache of its own for modules (module.enableCompileCache came in 22.1).
//
// The cache is named after the bundle's size and time and the Node.js version, so that a rebuilt bundle or another
// Node.js never takes a cache made for something else; V8 also refuses one made under other flags. It is written
// once, a while after the start, so that it holds the functions a start runs and not only the top level; by a
// temporary file and a rename, since several services may start at once. It only ever saves time: missing,
// refused or not writable, the bundle runs from its source as it would without it. Under `--enable-source-maps` it
// runs through Node's own loader, without the cache, since only that loader maps stack traces back to the sources.
import { closeSync, fstatSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** How long after the start the cache is written: the start has compiled what it needs by then. */
const WRITE_AFTER_MS = 2000;

const readIfThere = (path) => {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
};

function writeCache(path, script) {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, path);
  } catch {
    // A read-only install runs without the cache.
  }
}

/**
 * Runs the CommonJS bundle at `path` and returns its exports, and what became of the cache: `used`, `refused` (made
 * by another V8 or under other flags, or damaged: a new one is written `writeAfterMs` after this), `none` (not made
 * yet: it is written then too) or `off` (source maps are on).
 */
export function requireBundle(path, { writeAfterMs = WRITE_AFTER_MS } = {}) {
  if (process.sourceMapsEnabled) return { exports: createRequire(path)(path), cache: 'off' };
  // One descriptor for the size, the time and the text: a bundle renamed into place meanwhile is read whole or not at all.
  const fd = openSync(path, 'r');
  let source;
  let stat;
  try {
    stat = fstatSync(fd);
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const cachePath = `${path}.${process.version}-${stat.size}-${Math.trunc(stat.mtimeMs)}.cache`;
  const cachedData = readIfThere(cachePath);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: path,
    ...(cachedData && { cachedData }),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'refused' : 'used';
  // A refused cache (another V8, other flags, damaged) is replaced: otherwise every later start would refuse it too.
  if (cache !== 'used') setTimeout(() => writeCache(cachePath, script), writeAfterMs).unref();
  return { exports: module.exports, cache };
}
