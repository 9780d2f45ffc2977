/** The repository's root, found from this file alike when vitest runs it from source and when the bench runs it compiled. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bookshelf', 'bin'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Bookshelf repository above ${from}`);
  }
}

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
/** Where the executable entries are: `node last-read …` from here is what a user types. */
export const binDir = join(repoRoot, 'bookshelf', 'bin');
