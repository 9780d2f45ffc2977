import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../bookshelf/adapters/cli/command-line.js';
import type { EntryDefaults } from '../../bookshelf/adapters/cli/config.js';
import { booksDefaults } from '../../bookshelf/services/books.service.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { shelfDefaults } from '../../bookshelf/services/shelf.service.js';

const entryDefaults: Record<string, EntryDefaults> = {
  'last-read': lastReadView.defaults,
  'list-books': listBooksView.defaults,
  books: booksDefaults,
  shelf: shelfDefaults,
};

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('the command line', () => {
  for (const [name, defaults] of Object.entries(entryDefaults)) {
    it(`${name} --version prints the package version and exits 0`, async () => {
      expect(await parseCommandLine(defaults, ['--version'], {})).toEqual({ kind: 'exit', code: 0, output: version, stream: 'stdout' });
    });
  }

  it('lists --version in --help', async () => {
    const help = await parseCommandLine(entryDefaults['last-read']!, ['--help'], {});
    expect(help).toMatchObject({ kind: 'exit', code: 0 });
    expect(help.kind === 'exit' && help.output).toMatch(/--version\s+print the version and exit/);
  });
});
