/** The bench's own access to Kafka: topics, fast bulk loading with kcat, and the kcat read baseline. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { KAFKA } from '../../harness/infra-addresses.js';
import type { BenchContext } from './figure.js';
import { createTopic as createHarnessTopic, deleteTopics as deleteHarnessTopics, kafkaClient, uniqueName } from '../../harness/topics.js';

export { CONSUL, KAFKA } from '../../harness/infra-addresses.js';

export const benchKafka = () => kafkaClient('bookshelf-bench');

/** A topic name of its own for each use, so runs never see each other's events. */
export const uniqueTopic = (prefix: string): string => uniqueName(`bench-${prefix}`);

export const createTopic = (topic: string, partitions = 3): Promise<void> =>
  createHarnessTopic(topic, { partitions, clientId: 'bookshelf-bench' });

/** A topic of this invocation's own, deleted at its end. */
export async function newTopic(ctx: BenchContext, prefix: string, partitions = 3): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic, partitions);
  ctx.topics.push(topic);
  return topic;
}

export async function deleteTopics(topics: string[]): Promise<void> {
  await deleteHarnessTopics(topics, { clientId: 'bookshelf-bench', timeout: 30_000 });
}

export async function topicSize(topic: string): Promise<number> {
  const admin = benchKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** kcat with a tab between key and value on each line; `extra` adds producer settings. */
function kcatProducer(topic: string, extra: string[] = []) {
  return spawn(
    'kcat',
    ['-b', KAFKA, '-P', '-t', topic, '-K', '\t', '-z', 'none', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', ...extra],
    {
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
}

async function finished(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${what} exited ${code}: ${stderr.slice(-500)}`);
}

/** Writes `count` keyed lines from `line(i)` into the topic through kcat, with backpressure; returns the seconds it took. */
export async function produceLines(topic: string, count: number, line: (i: number) => string, extra: string[] = []): Promise<number> {
  const started = performance.now();
  const kcat = kcatProducer(topic, extra);
  const done = finished(kcat, 'kcat -P');
  const stdin = kcat.stdin;
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += line(i) + '\n';
    if (chunk.length > 1 << 20) {
      if (!stdin.write(chunk)) await once(stdin, 'drain');
      chunk = '';
    }
  }
  stdin.end(chunk);
  await done;
  return (performance.now() - started) / 1000;
}

/** Seconds kcat takes to read the whole topic to /dev/null (`kcat -C -e`). */
export async function kcatReadSeconds(topic: string): Promise<number> {
  const started = performance.now();
  const kcat = spawn('kcat', ['-b', KAFKA, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await finished(kcat, 'kcat -C');
  return (performance.now() - started) / 1000;
}
