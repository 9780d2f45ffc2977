/** The launcher's own few options: which topic, which ports, which Consul names. */
import { parseArgs } from 'node:util';

export interface ShelfService {
  /** The file in bookshelf/bin that runs it. */
  entry: string;
  /** Its Consul service name. */
  name: string;
  port: number;
}

export type StartOptions = { topic: string; services: ShelfService[] } | { help: true } | { error: string };

/** The four processes of the shelf, with the contract's Consul names and ports. */
export const shelfServices: readonly ShelfService[] = [
  { entry: 'books', name: 'books', port: 8081 },
  { entry: 'list-books', name: 'booklist', port: 8084 },
  { entry: 'last-read', name: 'lastreadbooks', port: 8087 },
  { entry: 'shelf', name: 'shelf', port: 8000 },
];

export const usage = `Usage: npm start [-- options]   (or: node compose/start.js [options])

Starts Kafka and Consul (or reuses those that answer), creates the topic, runs books, list-books,
last-read and shelf, and prints the URLs. Ctrl-C stops everything it started.

Options:
  --topic T          the event topic (default bookshelf) [env BOOKSHELF_TOPIC]
  --ports LIST       other HTTP ports, e.g. shelf=18000,books=18081,list-books=18084,last-read=18087
                     (defaults 8000, 8081, 8084, 8087) [env BOOKSHELF_PORTS]
  --name-suffix S    append S to every Consul service name (books-S, booklist-S, …), so that a second
                     shelf does not mix with the first [env BOOKSHELF_NAME_SUFFIX]
  -h, --help         this text

Kafka and Consul ports follow compose/infra.sh (KAFKA_PORT, CONSUL_HTTP_PORT). Other environment
variables (LOG_LEVEL, …) reach the four services. Their logs are shown one short line each;
BOOKSHELF_LOG_FORMAT=json shows the JSON lines as they are.`;

function parsePorts(list: string): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const item of list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z-]+)[=:](\d{1,5})$/.exec(item);
    const entry = match?.[1];
    if (!match || entry === undefined || !shelfServices.some((service) => service.entry === entry)) {
      throw new Error(`--ports expects entry=port items with entry one of ${shelfServices.map((s) => s.entry).join(', ')} (got "${item}")`);
    }
    const port = Number(match[2]);
    if (port < 1 || port > 65535) throw new Error(`--ports: ${entry} port must be from 1 to 65535 (got ${port})`);
    ports[entry] = port;
  }
  return ports;
}

/** `{ topic, services }`, `{ help: true }` or `{ error }` (one line). */
export function readStartOptions(argv: string[], env: Record<string, string | undefined>): StartOptions {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        topic: { type: 'string' },
        ports: { type: 'string' },
        'name-suffix': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return { help: true };
    const topic = values.topic ?? (env.BOOKSHELF_TOPIC || 'bookshelf');
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new Error(`--topic must be a Kafka topic name (got "${topic}")`);
    const suffix = values['name-suffix'] ?? env.BOOKSHELF_NAME_SUFFIX ?? '';
    if (!/^[A-Za-z0-9-]{0,40}$/.test(suffix)) throw new Error(`--name-suffix must be letters, digits and dashes (got "${suffix}")`);
    const ports = parsePorts(values.ports ?? env.BOOKSHELF_PORTS ?? '');
    const services = shelfServices.map((service) => ({
      ...service,
      name: suffix ? `${service.name}-${suffix.replace(/^-/, '')}` : service.name,
      port: ports[service.entry] ?? service.port,
    }));
    const taken = services.find((service, i) => services.findIndex((other) => other.port === service.port) !== i);
    if (taken) throw new Error(`--ports: port ${taken.port} is given twice`);
    return { topic, services };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
