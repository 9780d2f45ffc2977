/** The bench's own access to Kafka: topics, fast bulk loading with kcat, and the kcat read baseline. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';

export const KAFKA = `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
export const CONSUL = `127.0.0.1:${process.env.CONSUL_HTTP_PORT ?? 8500}`;

export const benchKafka = () => new Kafka({ clientId: 'bookshelf-bench', brokers: [KAFKA], logLevel: logLevel.NOTHING });

/** A topic name of its own for each use, so runs never see each other's events. */
export const uniqueTopic = (prefix: string): string => `bench-${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export async function createTopic(topic: string, partitions = 3): Promise<void> {
  const admin = benchKafka().admin();
  await admin.connect();
  try {
    // A broker that has just started may not know the new partitions yet: retriable, so try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
        break;
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = benchKafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
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
