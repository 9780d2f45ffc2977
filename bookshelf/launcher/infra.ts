/** The launcher's steps before the services: Kafka and Consul through compose/infra.sh, the topic. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { isOk, requestText } from '../adapters/http/request-text.js';
import { createTopic as createKafkaTopic } from '../adapters/kafka/create-topic.js';
import { portAnswers } from './ports.js';
import { readLines } from './start-log.js';
import { say, type InfraName, type ShelfRun } from './shelf-run.js';

interface CommandResult {
  code: number;
  signal?: NodeJS.Signals | null;
  error?: Error;
}

/** Runs a command; its stdout lines go to `onLine`, its stderr (progress) straight to ours. */
export function runCommand(
  root: string,
  command: string,
  args: string[],
  { onLine = () => {}, detached = false }: { onLine?: (line: string) => void; detached?: boolean } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached });
    readLines(child.stdout, onLine);
    child.once('error', (error) => resolve({ code: 1, error }));
    child.once('exit', (code, signal) => resolve({ code: code ?? 1, signal }));
  });
}

export const infraScript = (run: ShelfRun): string => join(run.settings.root, 'compose', 'infra.sh');

/** Kafka's and Consul's addresses, started or reused by `infra.sh up`; notes in `run` what it started. */
export async function infraUp(run: ShelfRun, env: Record<string, string | undefined>): Promise<Record<InfraName, string>> {
  const kafkaPort = Number(env.KAFKA_PORT ?? 9092);
  const consulPort = Number(env.CONSUL_HTTP_PORT ?? 8500 + Number(env.CONSUL_PORT_OFFSET ?? 0));
  const answeredBefore = { kafka: await portAnswers(kafkaPort), consul: await portAnswers(consulPort) };
  // Both up already: infra.sh would only say so, after a second of bash on a loaded machine. Kafka is asked next, for the topic.
  if (answeredBefore.kafka && answeredBefore.consul && (await consulHasLeader(consulPort))) {
    const reused = { kafka: `127.0.0.1:${kafkaPort}`, consul: `127.0.0.1:${consulPort}` };
    say(`kafka reused ${reused.kafka}`);
    say(`consul reused ${reused.consul}`);
    return reused;
  }
  const addresses: Partial<Record<InfraName, string>> = {};
  const result = await runCommand(run.settings.root, 'bash', [infraScript(run), 'up'], {
    onLine(line) {
      const match = /^(kafka|consul) (started|reused) (\S+)$/.exec(line);
      if (!match) return say(line);
      const [, name, how, address] = match as unknown as [string, InfraName, string, string];
      addresses[name] = address;
      if (how === 'started') run.infraStarted.push(name);
      say(`${name} ${how} ${address}`);
    },
  });
  const { kafka, consul } = addresses;
  if (result.code !== 0 || !kafka || !consul) {
    // Interrupted or failed half-way: whatever did not answer before may have been started by it.
    for (const name of ['kafka', 'consul'] as const)
      if (!answeredBefore[name] && !run.infraStarted.includes(name)) run.infraStarted.push(name);
    throw new Error('could not start Kafka and Consul (compose/infra.sh up failed, see above)');
  }
  return { kafka, consul };
}

const consulHasLeader = (port: number): Promise<boolean> =>
  requestText(`http://127.0.0.1:${port}/v1/status/leader`, { timeoutMs: 2000 })
    .then(({ status, text }) => isOk(status) && /^"[^"]+"$/.test(text.trim()))
    .catch(() => false);

/** Asked from this process: a node process of its own (kafka-topics) took most of a second of every start. */
export async function createTopic(topic: string, kafka: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bookshelf-start', brokers: [kafka], logLevel: logLevel.NOTHING, retry: { retries: 5 } }).admin();
  let created: boolean;
  try {
    await admin.connect();
    created = await createKafkaTopic(admin, { topic, numPartitions: 3, replicationFactor: 1 });
  } catch (error) {
    say(`Kafka ${kafka}: ${(error as Error).message}`);
    throw new Error(`could not create the topic ${topic} (see above)`, { cause: error });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  say(created ? `topic ${topic} created (3 partitions)` : `topic ${topic} exists`);
}
