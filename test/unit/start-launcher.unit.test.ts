/** The pure parts of `npm start` (bookshelf/launcher/start-*.ts): its options, its table of services, its log lines. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as log from '../../bookshelf/launcher/start-log.js';
import * as options from '../../bookshelf/launcher/start-options.js';
import type { StartOptions } from '../../bookshelf/launcher/start-options.js';
import { booksDefaults } from '../../bookshelf/services/books.service.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { shelfDefaults } from '../../bookshelf/services/shelf.service.js';

const portsOf = (result: StartOptions) =>
  'services' in result ? Object.fromEntries(result.services.map((s) => [s.entry, s.port])) : result;
const namesOf = (result: StartOptions) => ('services' in result ? result.services.map((s) => s.name) : result);

describe('the launcher', () => {
  it('is what `npm start` runs after the prepare step, as the process npm waits for', () => {
    const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // `exec`: npm's own signal forwarding then reaches the launcher, and npm exits with its code.
    expect(scripts.start).toBe('bash compose/prepare.sh && exec node compose/start.js');
  });

  it('starts the four entries under their own Consul names and ports', () => {
    const expected = [booksDefaults, listBooksView.defaults, lastReadView.defaults, shelfDefaults].map(({ entry, name, port }) => ({
      entry,
      name,
      port,
    }));
    expect(options.shelfServices).toEqual(expected);
  });

  describe('with no options', () => {
    it('uses the topic bookshelf and the contract ports', () => {
      const result = options.readStartOptions([], {});
      expect(result).toMatchObject({ topic: 'bookshelf' });
      expect(portsOf(result)).toEqual({ books: 8081, 'list-books': 8084, 'last-read': 8087, shelf: 8000 });
      expect(namesOf(result)).toEqual(['books', 'booklist', 'lastreadbooks', 'shelf']);
    });
  });

  describe('with options', () => {
    it('moves some ports, from the command line or BOOKSHELF_PORTS', () => {
      expect(portsOf(options.readStartOptions(['--ports', 'shelf=18000,last-read:18087'], {}))).toEqual({
        books: 8081,
        'list-books': 8084,
        'last-read': 18087,
        shelf: 18000,
      });
      expect(portsOf(options.readStartOptions([], { BOOKSHELF_PORTS: 'books=9081' }))).toMatchObject({ books: 9081 });
    });

    it('suffixes every Consul name', () => {
      expect(namesOf(options.readStartOptions(['--name-suffix', 'two'], {}))).toEqual([
        'books-two',
        'booklist-two',
        'lastreadbooks-two',
        'shelf-two',
      ]);
    });

    it('takes the topic from --topic before BOOKSHELF_TOPIC', () => {
      expect(options.readStartOptions(['--topic', 'a'], { BOOKSHELF_TOPIC: 'b' })).toMatchObject({ topic: 'a' });
      expect(options.readStartOptions([], { BOOKSHELF_TOPIC: 'b' })).toMatchObject({ topic: 'b' });
    });
  });

  describe('with a bad option', () => {
    it.each([
      [['--port', '1'], /Unknown option '--port'/],
      [['--ports', 'gateway=8000'], /--ports expects entry=port items .* \(got "gateway=8000"\)/],
      [['--ports', 'shelf=70000'], /shelf port must be from 1 to 65535/],
      [['--ports', 'shelf=9000,books=9000'], /port 9000 is given twice/],
      [['--topic', 'no spaces'], /--topic must be a Kafka topic name/],
      [['--name-suffix', 'a_b'], /--name-suffix must be letters, digits and dashes/],
    ])('%j says what is wrong in one line', (argv, message) => {
      const result = options.readStartOptions(argv, {});
      expect(result).toEqual({ error: expect.stringMatching(message) });
      expect('error' in result && result.error).not.toContain('\n');
    });
  });
});

describe('a log line of a service, as the launcher shows it', () => {
  const line = (record: Record<string, unknown>) => JSON.stringify({ level: 30, time: 1, pid: 7, hostname: 'h', name: 'books', ...record });

  it('is the message and its fields, without pino bookkeeping', () => {
    expect(log.formatLogLine(line({ msg: 'listening', url: 'http://127.0.0.1:8081', id: 'books-h-8081' })).text).toBe(
      'listening url=http://127.0.0.1:8081 id=books-h-8081',
    );
  });

  it('names the module and, from warn on, the level', () => {
    expect(
      log.formatLogLine(line({ level: 40, module: 'consul', msg: 'Consul not reachable, will retry', err: 'connect ECONNREFUSED' })).text,
    ).toBe('WARN consul: Consul not reachable, will retry err="connect ECONNREFUSED"');
  });

  it('shows an error by its message, leaves the stack out, and cuts long values', () => {
    const text = log.formatLogLine(
      line({
        level: 50,
        msg: 'could not start',
        err: { type: 'Error', message: 'boom', stack: 'Error: boom\n  at x' },
        stack: 'at y',
        detail: { long: 'x'.repeat(500) },
      }),
    ).text;
    expect(text).toMatch(/^ERROR could not start err="boom" detail=\{"long":"x+…$/);
    expect(text.length).toBeLessThan(220);
  });

  it('passes a line that is not JSON through as it is', () => {
    expect(log.formatLogLine('bookshelf: compiling…')).toEqual({ text: 'bookshelf: compiling…' });
  });
});
