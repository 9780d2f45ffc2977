#!/usr/bin/env node
/**
 * `npm start`: the whole shelf on this machine. Reuses or starts Kafka and Consul (compose/infra.sh),
 * creates the topic, runs books, list-books, last-read and shelf as child processes, waits until
 * Consul shows each one passing, and prints where to go. Ctrl-C stops the four (each deregisters
 * itself) and then only what infra.sh started for this run. Plain Node, so it runs before any build.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { formatLogLine, readLines } from './start-log.js';
import { readStartOptions, usage } from './start-options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const infraScript = join(root, 'compose', 'infra.sh');
const START_TIMEOUT_MS = Number(process.env.BOOKSHELF_START_TIMEOUT ?? 120) * 1000;
const STOP_GRACE_MS = 10_000;
const rawLogs = process.env.BOOKSHELF_LOG_FORMAT === 'json';

const say = (line) => process.stderr.write(`bookshelf: ${line}\n`);
const show = (line) => process.stdout.write(`${line}\n`);
process.stdout.on('error', () => {}); // a closed pipe must not stop the shutdown
process.stderr.on('error', () => {});

/** What this run owns: the children, and the infrastructure it started (never what it reused). */
const run = { children: [], infraStarted: [], infraUp: undefined, stopping: undefined, ready: false };

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const answers = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });

/** Runs a command; its stdout lines go to `onLine`, its stderr (progress) straight to ours. */
function runCommand(command, args, { onLine = () => {}, detached = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached });
    readLines(child.stdout, onLine);
    child.once('error', (error) => resolve({ code: 1, error }));
    child.once('exit', (code, signal) => resolve({ code: code ?? 1, signal }));
  });
}

async function infraUp() {
  const kafkaPort = Number(process.env.KAFKA_PORT ?? 9092);
  const consulPort = Number(process.env.CONSUL_HTTP_PORT ?? 8500 + Number(process.env.CONSUL_PORT_OFFSET ?? 0));
  const answeredBefore = { kafka: await answers(kafkaPort), consul: await answers(consulPort) };
  const addresses = {};
  const result = await runCommand('bash', [infraScript, 'up'], {
    onLine(line) {
      const match = /^(kafka|consul) (started|reused) (\S+)$/.exec(line);
      if (!match) return say(line);
      const [, name, how, address] = match;
      addresses[name] = address;
      if (how === 'started') run.infraStarted.push(name);
      say(`${name} ${how} ${address}`);
    },
  });
  if (result.code !== 0 || !addresses.kafka || !addresses.consul) {
    // Interrupted or failed half-way: whatever did not answer before may have been started by it.
    for (const name of ['kafka', 'consul']) if (!answeredBefore[name] && !run.infraStarted.includes(name)) run.infraStarted.push(name);
    throw new Error('could not start Kafka and Consul (compose/infra.sh up failed, see above)');
  }
  return addresses;
}

async function createTopic(topic, kafka) {
  const args = ['--create', '--if-not-exists', '--topic', topic, '--partitions', '3', '--replication-factor', '1', '--bootstrap-server', kafka];
  let created = false;
  const result = await runCommand(process.execPath, [join(root, 'bookshelf', 'bin', 'kafka-topics.js'), ...args], { onLine: () => (created = true) });
  if (result.code !== 0) throw new Error(`could not create the topic ${topic} (see above)`);
  say(created ? `topic ${topic} created (3 partitions)` : `topic ${topic} exists`);
}

// The environment reaches the four, except an id: one id for four services would make them overwrite each other.
const { BOOKSHELF_ID: _oneId, ...childEnv } = process.env;

function startChild(service, args) {
  const child = spawn(process.execPath, [join(root, 'bookshelf', 'bin', `${service.entry}.js`), ...args], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${service.entry}]`.padEnd(13);
  const running = { ...service, child, consulId: undefined, exit: undefined };
  readLines(child.stdout, (line) => {
    const { text, record } = formatLogLine(line);
    if (record?.msg === 'listening' && typeof record.id === 'string') running.consulId = record.id;
    show(`${prefix}${rawLogs ? line : text}`);
  });
  readLines(child.stderr, (line) => process.stderr.write(`${prefix}${line}\n`));
  running.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      running.exit = { code, signal };
      resolve(running.exit);
    });
  });
  running.exited.then(({ code, signal }) => {
    if (run.stopping || !run.ready) return; // start-up reports its own failures
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const left = run.children.filter((other) => !other.exit);
    if (left.length === 0) {
      say(`${service.entry} exited unexpectedly (${how}); no service is left, stopping`);
      void shutdown(1);
    } else {
      say(`${service.entry} exited unexpectedly (${how}); the others keep running (Ctrl-C stops them)`);
    }
  });
  run.children.push(running);
  return running;
}

const consulHealth = async (consul, path) => {
  const response = await fetch(`http://${consul}${path}`, { signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw new Error(`Consul ${path}: ${response.status}`);
  return response.json();
};

/** Until Consul shows every child passing, and the gateway sees the services it routes to. */
async function waitUntilReady(consul, shelfPort, gatewayTargets) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const passing = new Set();
  let gatewaySees = false;
  while (!run.stopping) {
    const dead = run.children.find((child) => child.exit);
    if (dead) throw new Error(`${dead.entry} exited during start-up (${dead.exit.signal ? `signal ${dead.exit.signal}` : `code ${dead.exit.code}`}, see above)`);
    for (const child of run.children.filter((c) => !passing.has(c))) {
      const entries = await consulHealth(consul, `/v1/health/service/${encodeURIComponent(child.name)}?passing=true`).catch(() => []);
      if (entries.some((entry) => entry.Service.Port === child.port)) {
        passing.add(child);
        say(`${child.entry} is passing in Consul as ${child.name}`);
      }
    }
    if (passing.size === run.children.length && !gatewaySees) {
      const known = await fetch(`http://127.0.0.1:${shelfPort}/services`, { signal: AbortSignal.timeout(3000) })
        .then((response) => response.json())
        .catch(() => ({}));
      gatewaySees = gatewayTargets.every((name) => known[name]?.instances?.some((instance) => instance.status === 'passing'));
    }
    if (gatewaySees) return;
    if (Date.now() > deadline) {
      const waiting = run.children.filter((c) => !passing.has(c)).map((c) => c.entry);
      throw new Error(waiting.length ? `not passing in Consul after ${START_TIMEOUT_MS / 1000}s: ${waiting.join(', ')}` : 'the gateway does not see the services in Consul');
    }
    await delay(300);
  }
}

function printBanner({ topic, kafka, consul, children }) {
  const shelf = children.find((child) => child.entry === 'shelf');
  const gateway = `http://127.0.0.1:${shelf.port}`;
  const infraState = (name) => (run.infraStarted.includes(name) ? 'started' : 'reused');
  const book = `'{"title":"1984","author":[{"name":"George Orwell"}],"type":"novel","year":"1949"}'`;
  show(
    [
      '',
      `The shelf is up on topic ${topic} (Kafka ${kafka} ${infraState('kafka')}, Consul ${consul} ${infraState('consul')}).`,
      `  gateway    ${gateway}`,
      `  docs       ${gateway}/docs`,
      `  consul ui  http://${consul}/ui`,
      ...children.map((child) => `  ${child.entry.padEnd(10)} http://127.0.0.1:${child.port}  (Consul ${child.name}, pid ${child.child.pid})`),
      '',
      'Try this:',
      `  curl -i -X POST ${gateway}/bookshelf/books -H 'Content-Type: application/json' -d ${book}`,
      `  curl -i -X POST ${gateway}/bookshelf/books/<id>/finished`,
      `  curl ${gateway}/bookshelf/books/last/read`,
      `  curl ${gateway}/bookshelf/books`,
      `  curl http://${consul}/v1/catalog/services`,
      '',
      `Ctrl-C stops the four services${run.infraStarted.length ? ` and the ${run.infraStarted.join(' and ')} started here` : ''}.`,
      '',
    ].join('\n'),
  );
}

/** Stops the children (they deregister), then what infra.sh started for this run; exits. */
function shutdown(code) {
  run.stopping ??= (async () => {
    await run.infraUp?.catch(() => {});
    const alive = run.children.filter((child) => !child.exit);
    if (alive.length) say(`stopping ${alive.map((child) => child.entry).join(', ')}`);
    for (const child of alive) child.child.kill('SIGTERM');
    const stragglers = await Promise.race([Promise.all(alive.map((child) => child.exited)).then(() => []), delay(STOP_GRACE_MS).then(() => alive.filter((child) => !child.exit))]);
    for (const child of stragglers) {
      say(`${child.entry} did not stop within ${STOP_GRACE_MS / 1000}s; killing it`);
      child.child.kill('SIGKILL');
      await child.exited;
    }
    // One that was killed or crashed could not deregister itself: this run registered it, so it removes it.
    for (const child of run.children.filter((c) => c.consulId && (c.exit.signal || c.exit.code !== 0))) {
      await fetch(`http://${run.consul}/v1/agent/service/deregister/${encodeURIComponent(child.consulId)}`, { method: 'PUT', signal: AbortSignal.timeout(3000) }).then(
        () => say(`${child.entry} deregistered (${child.consulId}): it could not do it itself`),
        (error) => say(`could not deregister ${child.consulId}: ${error.message}`),
      );
    }
    if (run.infraStarted.length) {
      // Its own process group: a second Ctrl-C must not cut Kafka's shutdown short.
      await runCommand('bash', [infraScript, 'down', ...run.infraStarted], { onLine: say, detached: true });
    }
    say(code === 0 ? 'stopped' : 'stopped after a failure');
    process.exit(code);
  })();
  return run.stopping;
}

async function main() {
  const options = readStartOptions(process.argv.slice(2), process.env);
  if (options.help) return show(usage);
  if (options.error) {
    process.stderr.write(`bookshelf: ${options.error} (see --help)\n`);
    process.exit(2);
  }
  for (const service of options.services) {
    if (!(await portIsFree(service.port))) {
      process.stderr.write(`bookshelf: port ${service.port} (${service.entry}) is taken on 127.0.0.1; is another shelf running? Stop it, or move the ports with BOOKSHELF_PORTS=shelf=18000,books=18081,list-books=18084,last-read=18087\n`);
      process.exit(1);
    }
  }
  const onSignal = (signal) => {
    if (run.stopping) return;
    say(`${signal}: stopping`);
    void shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  run.infraUp = infraUp();
  const { kafka, consul } = await run.infraUp;
  run.consul = consul;
  if (run.stopping) return;
  await createTopic(options.topic, kafka);
  if (run.stopping) return;

  const shared = ['--topic', options.topic, '--broker', kafka, '--consul', consul];
  const names = Object.fromEntries(options.services.map((service) => [service.entry, service.name]));
  for (const service of options.services) {
    const own = service.entry === 'shelf' ? ['--books-service', names.books, '--booklist-service', names['list-books'], '--lastread-service', names['last-read']] : [];
    startChild(service, [...shared, '--port', String(service.port), '--name', service.name, ...own]);
  }
  const shelf = options.services.find((service) => service.entry === 'shelf');
  await waitUntilReady(consul, shelf.port, [names.books, names['list-books'], names['last-read']]);
  if (run.stopping) return;
  run.ready = true;
  printBanner({ topic: options.topic, kafka, consul, children: run.children });
}

main().catch((error) => {
  if (run.stopping) return;
  say(error.message);
  void shutdown(1);
});
