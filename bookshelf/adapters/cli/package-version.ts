/** The version in package.json: `--version` prints it, Consul meta and the API description carry it. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest package.json above this module: it runs from bookshelf/, from dist/ and bundled in dist/bundle/. */
function readVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  }
  throw new Error('package.json not found above the bookshelf code');
}

export const packageVersion: string = readVersion();
