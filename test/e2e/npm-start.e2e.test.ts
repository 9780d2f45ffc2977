import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSUL, consulGet, portAnswers, unique } from '../support/infra.js';
import { freePort, portIsFree } from '../support/processes.js';
import { waitFor } from '../support/wait-for.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entries = ['books', 'list-books', 'last-read', 'shelf'] as const;
const consulNames = { books: 'books', 'list-books': 'booklist', 'last-read': 'lastreadbooks', shelf: 'shelf' };

interface Launcher {
  pid: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What a terminal's Ctrl-C does: SIGINT to the whole process group. */
  ctrlC(): void;
  /** `kill <pid>`: SIGTERM to the launcher alone, which must pass it on. */
  terminate(): void;
}

const launchers: Launcher[] = [];
afterEach(() => {
  for (const launcher of launchers.splice(0)) {
    try {
      process.kill(-launcher.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** `npm start` without its prepare step (the test run has compiled and installed already). */
function startShelf(args: string[], env: Record<string, string> = {}): Launcher {
  const child = spawn(process.execPath, ['compose/start.js', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const launcher: Launcher = {
    pid: child.pid!,
    output: () => output,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    ctrlC: () => process.kill(-child.pid!, 'SIGINT'),
    terminate: () => process.kill(child.pid!, 'SIGTERM'),
  };
  launchers.push(launcher);
  return launcher;
}

async function freePorts(): Promise<Record<(typeof entries)[number], number>> {
  return { books: await freePort(), 'list-books': await freePort(), 'last-read': await freePort(), shelf: await freePort() };
}

const portsFlag = (ports: Record<string, number>) =>
  Object.entries(ports)
    .map(([entry, port]) => `${entry}=${port}`)
    .join(',');

async function waitUntilUp(launcher: Launcher): Promise<{ gateway: string; pids: number[] }> {
  const output = await waitFor(() => launcher.output().includes('Ctrl-C stops') && launcher.output(), {
    timeout: 150_000,
    interval: 200,
    what: `the shelf's URLs (output so far: ${launcher.output().slice(-2000)})`,
  });
  const gateway = /^ {2}gateway +(http:\S+)$/m.exec(output)?.[1];
  const pids = [...output.matchAll(/\(Consul \S+, pid (\d+)\)$/gm)].map((match) => Number(match[1]));
  expect(gateway).toBeDefined();
  expect(pids).toHaveLength(4);
  return { gateway: gateway!, pids };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Each service logged its own orderly stop (deregistered, then stopped), and none had to be killed. */
function expectStoppedCleanly(output: string, stopped: readonly string[] = entries): void {
  for (const entry of stopped) {
    expect(output).toMatch(new RegExp(`^\\[${entry}\\] +consul: deregistered from Consul `, 'm'));
    expect(output).toMatch(new RegExp(`^\\[${entry}\\] +stopped id=`, 'm'));
  }
  expect(output).not.toMatch(/did not stop|killing it/);
}

const childPids = async (pid: number): Promise<number[]> => {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((n) => n > 0);
};

describe('npm start', () => {
  it(
    'brings the shelf up behind the gateway, survives a dead view, and Ctrl-C leaves nothing registered and no process behind',
    { timeout: 180_000 },
    async () => {
      const topic = unique('start');
      const suffix = unique('e2e');
      const names = Object.fromEntries(entries.map((entry) => [entry, `${consulNames[entry]}-${suffix}`]));
      const ports = await freePorts();
      const launcher = startShelf(['--topic', topic, '--ports', portsFlag(ports), '--name-suffix', suffix]);

      const { gateway, pids } = await waitUntilUp(launcher);
      expect(gateway).toBe(`http://127.0.0.1:${ports.shelf}`);
      expect(launcher.output()).toMatch(/kafka reused 127\.0\.0\.1:\d+/);
      expect(launcher.output()).toMatch(/^\[books\] +listening url=http:\/\/127\.0\.0\.1:\d+ /m);
      expect((await childPids(launcher.pid)).sort()).toEqual([...pids].sort());

      const added = await fetch(`${gateway}/bookshelf/books`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: '1984', author: [{ name: 'George Orwell' }], type: 'novel', year: '1949' }),
      });
      expect(added.status).toBe(201);
      const book = (await added.json()) as { id: string; title: string };
      expect(book).toMatchObject({ id: expect.any(String), title: '1984' });

      const finished = await fetch(`${gateway}/bookshelf/books/${book.id}/finished`, { method: 'POST' });
      expect(finished.status).toBe(204);
      const position = finished.headers.get('x-bookshelf-position');
      expect(position).toMatch(/^\d+:\d+/);

      const lastRead = await fetch(`${gateway}/bookshelf/books/last/read`, { headers: { 'X-Bookshelf-Position': position! } });
      expect(lastRead.status).toBe(200);
      expect(await lastRead.json()).toEqual([expect.objectContaining({ id: book.id, title: '1984', author: [{ name: 'George Orwell' }] })]);

      const docs = await fetch(`${gateway}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
      const { paths } = (await (await fetch(`${gateway}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          '/bookshelf/books',
          '/bookshelf/books/{id}',
          '/bookshelf/books/last/read',
          '/bookshelf/books/{id}/started',
          '/bookshelf/books/{id}/finished',
          '/bookshelf/books/{id}/rating',
        ]),
      );

      const registered = await consulGet<Record<string, string[]>>('/v1/catalog/services');
      expect(Object.keys(registered)).toEqual(expect.arrayContaining(Object.values(names)));

      // A service that dies is reported; the others keep serving.
      const lastReadPid = pids[entries.indexOf('last-read')]!;
      process.kill(lastReadPid, 'SIGKILL');
      await waitFor(
        () => launcher.output().includes('bookshelf: last-read exited unexpectedly (signal SIGKILL); the others keep running'),
        { what: 'the launcher to report the dead view' },
      );
      await waitFor(async () => (await fetch(`${gateway}/bookshelf/books/last/read`)).status === 503, {
        what: 'the gateway to answer 503 without last-read',
      });
      expect((await fetch(`${gateway}/bookshelf/books/${book.id}`)).status).toBe(200);

      launcher.ctrlC();
      expect(await launcher.exited).toEqual({ code: 0, signal: null });
      const after = await consulGet<Record<string, string[]>>('/v1/catalog/services');
      for (const name of Object.values(names)) expect(after).not.toHaveProperty(name);
      expect(pids.filter(alive)).toEqual([]);
      expectStoppedCleanly(launcher.output(), ['books', 'list-books', 'shelf']);
      expect(launcher.output()).toMatch(/last-read deregistered \(lastreadbooks-.+\): it could not do it itself/);
      expect(launcher.output()).toMatch(/bookshelf: stopped$/m);
      // It reused the run's Kafka and Consul, so it left them running.
      expect(launcher.output()).not.toMatch(/(kafka|consul) stopped/);
      expect(await portAnswers(Number(CONSUL.split(':')[1]))).toBe(true);
    },
  );

  it('fails with one line and starts nothing when a port is taken', async () => {
    const ports = await freePorts();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.shelf, '127.0.0.1', resolve));
    try {
      const launcher = startShelf(['--topic', unique('start-taken'), '--ports', portsFlag(ports)]);
      expect(await launcher.exited).toEqual({ code: 1, signal: null });
      expect(launcher.output().trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^bookshelf: port ${ports.shelf} \\(shelf\\) is taken`)),
      ]);
    } finally {
      squatter.close();
    }
  });

  it('stops the Kafka and Consul it started itself, on SIGTERM to the launcher alone', { timeout: 180_000 }, async () => {
    // A cache of its own (infra.sh keeps one stack per cache), sharing the installed Kafka and Consul.
    const versions = readFileSync(join(root, 'compose', 'versions.env'), 'utf8');
    const version = (name: string) => new RegExp(`^${name}=(\\S+)`, 'm').exec(versions)?.[1];
    const sharedCache = process.env.BOOKSHELF_CACHE ?? join(homedir(), '.cache', 'bookshelf');
    const installed = [`kafka-${version('KAFKA_VERSION')}`, `consul-${version('CONSUL_VERSION')}`];
    expect(installed.every((dir) => existsSync(join(sharedCache, dir)))).toBe(true);
    const cache = mkdtempSync(join(tmpdir(), 'bookshelf-start-'));
    for (const dir of installed) symlinkSync(join(sharedCache, dir), join(cache, dir));

    const kafkaPort = await freePort();
    const consulOffset = await freeConsulOffset();
    const infraEnv = {
      BOOKSHELF_CACHE: cache,
      KAFKA_PORT: String(kafkaPort),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      CONSUL_PORT_OFFSET: String(consulOffset),
    };
    try {
      const launcher = startShelf(['--topic', unique('start-own'), '--ports', portsFlag(await freePorts())], {
        ...infraEnv,
        KAFKA_HEAP_OPTS: '-Xmx256m -Xms64m',
      });
      const { pids } = await waitUntilUp(launcher);
      expect(launcher.output()).toContain(`kafka started 127.0.0.1:${kafkaPort}`);
      expect(launcher.output()).toContain(`consul started 127.0.0.1:${8500 + consulOffset}`);
      const infraPids = ['kafka', 'consul'].map((name) => Number(readFileSync(join(cache, 'run', `${name}.pid`), 'utf8')));
      expect(infraPids.every(alive)).toBe(true);

      launcher.terminate();
      expect(await launcher.exited).toEqual({ code: 0, signal: null });
      expect(launcher.output()).toMatch(/kafka stopped \(pid \d+\)/);
      expect(launcher.output()).toMatch(/consul stopped \(pid \d+\)/);
      expect([...pids, ...infraPids].filter(alive)).toEqual([]);
      expectStoppedCleanly(launcher.output());
      expect(await portAnswers(kafkaPort)).toBe(false);
      expect(await portAnswers(8500 + consulOffset)).toBe(false);
    } finally {
      await promisify(execFile)('bash', [join(root, 'compose', 'infra.sh'), 'down'], { env: { ...process.env, ...infraEnv } }).catch(
        () => undefined,
      );
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

/** An offset that moves every port of a Consul dev agent (HTTP 8500, DNS 8600, 8300–8302, 8502–8503) onto free ones. */
async function freeConsulOffset(): Promise<number> {
  const consulPorts = [8300, 8301, 8302, 8500, 8502, 8503, 8600];
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 20_000 + Math.floor(Math.random() * 30_000);
    const taken = await Promise.all(consulPorts.map((port) => portAnswers(port + offset)));
    if (!taken.includes(true) && (await Promise.all(consulPorts.map((port) => portIsFree(port + offset)))).every(Boolean)) return offset;
  }
  throw new Error('no free range of ports for a second Consul agent');
}
