/**
 * `npm start`: the whole shelf on this machine. Reuses or starts Kafka and Consul (compose/infra.sh),
 * creates the topic, runs books, list-books, last-read and shelf as child processes, waits until
 * Consul shows each one passing, and prints where to go. Ctrl-C stops the four (each deregisters
 * itself) and then only what infra.sh started for this run. compose/start.js is its entry.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTopic, infraUp } from './infra.js';
import { portIsFree } from './ports.js';
import { createShelfRun, say, show, type RunningService, type ShelfRun } from './shelf-run.js';
import { startChild, waitUntilReady } from './shelf-services.js';
import { shutdown } from './shutdown.js';
import { readStartOptions, usage } from './start-options.js';

function printBanner(run: ShelfRun, { topic, kafka, consul }: { topic: string; kafka: string; consul: string }): void {
  const { children } = run;
  const shelf = children.find((child) => child.entry === 'shelf') as RunningService;
  const gateway = `http://127.0.0.1:${shelf.port}`;
  const infraState = (name: 'kafka' | 'consul') => (run.infraStarted.includes(name) ? 'started' : 'reused');
  const book = `'{"title":"1984","author":[{"name":"George Orwell"}],"type":"novel","year":"1949"}'`;
  show(
    [
      '',
      `The shelf is up on topic ${topic} (Kafka ${kafka} ${infraState('kafka')}, Consul ${consul} ${infraState('consul')}).`,
      `  gateway    ${gateway}`,
      `  docs       ${gateway}/docs`,
      `  consul ui  http://${consul}/ui`,
      ...children.map(
        (child) => `  ${child.entry.padEnd(10)} http://127.0.0.1:${child.port}  (Consul ${child.name}, pid ${child.child.pid})`,
      ),
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

async function main(run: ShelfRun, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const options = readStartOptions(argv, env);
  if ('help' in options) return show(usage);
  if ('error' in options) {
    process.stderr.write(`bookshelf: ${options.error} (see --help)\n`);
    process.exit(2);
  }
  for (const service of options.services) {
    if (!(await portIsFree(service.port))) {
      process.stderr.write(
        `bookshelf: port ${service.port} (${service.entry}) is taken on 127.0.0.1; is another shelf running? Stop it, or move the ports ` +
          'with BOOKSHELF_PORTS=shelf=18000,books=18081,list-books=18084,last-read=18087\n',
      );
      process.exit(1);
    }
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (run.stopping) return;
    say(`${signal}: stopping`);
    void shutdown(run, 0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const infra = infraUp(run, env);
  run.infraUp = infra;
  const { kafka, consul } = await infra;
  run.consul = consul;
  if (run.stopping) return;
  await createTopic(options.topic, kafka);
  if (run.stopping) return;

  const shared = ['--topic', options.topic, '--broker', kafka, '--consul', consul];
  const names = Object.fromEntries(options.services.map((service) => [service.entry, service.name])) as Record<
    'books' | 'list-books' | 'last-read',
    string
  >;
  for (const service of options.services) {
    const own =
      service.entry === 'shelf'
        ? ['--books-service', names.books, '--booklist-service', names['list-books'], '--lastread-service', names['last-read']]
        : [];
    startChild(run, service, [...shared, '--port', String(service.port), '--name', service.name, ...own]);
  }
  const shelf = options.services.find((service) => service.entry === 'shelf')!;
  await waitUntilReady(run, consul, shelf.port, [names.books, names['list-books'], names['last-read']]);
  if (run.stopping) return;
  run.ready = true;
  printBanner(run, { topic: options.topic, kafka, consul });
}

/** Runs the shelf until a signal or a failure stops it; the process exits from its shutdown. */
export function startShelf(argv: string[], env: NodeJS.ProcessEnv): void {
  process.stdout.on('error', () => {}); // a closed pipe must not stop the shutdown
  process.stderr.on('error', () => {});
  // The environment reaches the four, except an id: one id for four services would make them overwrite each other.
  const { BOOKSHELF_ID: _oneId, ...childEnv } = env;
  const run = createShelfRun({
    root: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
    startTimeoutMs: Number(env.BOOKSHELF_START_TIMEOUT ?? 120) * 1000,
    stopGraceMs: 10_000,
    rawLogs: env.BOOKSHELF_LOG_FORMAT === 'json',
    childEnv,
  });
  main(run, argv, env).catch((error: Error) => {
    if (run.stopping) return;
    say(error.message);
    void shutdown(run, 1);
  });
}
