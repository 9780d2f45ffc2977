/** The version in package.json: `--version` prints it, Consul meta and the API description carry it. */
import { createRequire } from 'node:module';

// The same depth below the package root from bookshelf/ and from dist/.
export const packageVersion: string = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
