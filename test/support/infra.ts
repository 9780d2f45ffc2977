/** Where the test run finds Kafka and Consul (started by global-setup.ts), and small clients for them. */
import { spawn } from 'node:child_process';
import { afterAll } from 'vitest';
import { CONSUL, KAFKA } from '../../harness/infra-addresses.js';
import { createTopic as createHarnessTopic, deleteTopics as deleteTopicsOn, kafkaClient, uniqueName } from '../../harness/topics.js';

export { CONSUL, CONSUL_DNS_PORT, KAFKA } from '../../harness/infra-addresses.js';
export { portAnswers } from '../../harness/ports.js';

/** Names this test file made, any of which may have become a topic (by createTopic, a service, a script). */
const madeNames = new Set<string>();
/** Topics made on a broker other than the shared one. */
const topicsElsewhere = new Map<string, string>();

/** A name no other test uses: each test gets its own topic and Consul service. Topics of that name go after the file. */
export const unique = (prefix: string): string => {
  const name = uniqueName(prefix);
  madeNames.add(name);
  return name;
};

export const testKafka = (broker = KAFKA) => kafkaClient('bookshelf-test', broker);

export async function createTopic(topic: string, partitions = 3, broker = KAFKA): Promise<void> {
  await createHarnessTopic(topic, { partitions, broker, clientId: 'bookshelf-test' });
  if (broker === KAFKA) madeNames.add(topic);
  else topicsElsewhere.set(topic, broker);
}

/** A topic of the test's own under a unique name, deleted after the file. */
export async function newTopic(prefix: string, partitions = 3): Promise<string> {
  const topic = unique(prefix);
  await createTopic(topic, partitions);
  return topic;
}

/** Deletes those of `names` that exist on `broker`; a broker that is gone (a test's own) is left alone. */
export const deleteTopics = (names: Iterable<string>, broker = KAFKA): Promise<string[]> =>
  deleteTopicsOn(names, { broker, clientId: 'bookshelf-test' });

// After every test file, also one that failed: the broker is shared with the user's own shelf.
// (Outside a test run, e.g. in the global set-up, there is no file to clean up after.)
try {
  afterAll(async () => {
    const elsewhere = new Map<string, string[]>();
    for (const [topic, broker] of topicsElsewhere) elsewhere.set(broker, [...(elsewhere.get(broker) ?? []), topic]);
    await Promise.all([deleteTopics(madeNames), ...[...elsewhere].map(([broker, topics]) => deleteTopics(topics, broker))]);
  }, 30_000);
} catch {
  // not inside a test file
}

/** Pushes lines as a user would: `kcat -P`, one message per line. */
export async function pushWithKcat(
  topic: string,
  lines: string[],
  { partition, broker = KAFKA }: { partition?: number; broker?: string } = {},
): Promise<void> {
  const args = ['-b', broker, '-P', '-t', topic, ...(partition === undefined ? [] : ['-p', String(partition)])];
  await new Promise<void>((resolve, reject) => {
    const kcat = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    kcat.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    kcat.on('error', reject);
    kcat.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${stderr}`))));
    kcat.stdin.end(lines.map((line) => `${line}\n`).join(''));
  });
}

/** Produces values with kafkajs, one by one, and returns the position token of what it wrote. */
export async function produce(
  topic: string,
  messages: { key?: string; value: string; partition?: number }[],
  broker = KAFKA,
): Promise<string> {
  const producer = testKafka(broker).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const last = new Map<number, number>();
    for (const message of messages) {
      const [result] = await producer.send({ topic, acks: -1, messages: [message] });
      if (result) last.set(result.partition, Number(result.baseOffset));
    }
    return [...last].map(([partition, offset]) => `${partition}:${offset}`).join(',');
  } finally {
    await producer.disconnect();
  }
}

export async function consulGet<T>(path: string): Promise<T> {
  const response = await fetch(`http://${CONSUL}${path}`);
  if (!response.ok) throw new Error(`Consul ${path}: ${response.status}`);
  return (await response.json()) as T;
}

export interface CatalogEntry {
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  ServiceAddress: string;
  ServicePort: number;
  ServiceMeta: Record<string, string>;
}

export const catalogService = (name: string) => consulGet<CatalogEntry[]>(`/v1/catalog/service/${name}`);

export const checkStatus = async (name: string): Promise<string[]> =>
  (await consulGet<{ Checks: { ServiceName: string; Status: string }[] }[]>(`/v1/health/service/${name}`)).flatMap((entry) =>
    entry.Checks.filter((check) => check.ServiceName === name).map((check) => check.Status),
  );
