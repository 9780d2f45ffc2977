/**
 * Kafka brokers of a test's own, each a compose/kafka-run.sh process on loopback and free ports with its data in
 * a temp dir: a single broker to stop and start at will, or a cluster (KRaft, each broker also a controller voter,
 * replication factor 3 and min.insync.replicas 2) in which any broker can be killed with -9 and started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { portAnswers } from './infra.js';
import { freePort, killNow } from './processes.js';
import { waitFor } from './wait-for.js';

const kafkaRun = fileURLToPath(new URL('../../compose/kafka-run.sh', import.meta.url));

export interface ClusterBroker {
  nodeId: number;
  address: string;
  start(): Promise<void>;
  /** kill -9: no clean shutdown, no leadership hand-over. */
  kill(): Promise<void>;
  isRunning(): boolean;
}

/** compose/kafka-run.sh on `port` with the rest of its flags in `args`. */
function startBrokerProcess(port: number, args: string[]): ChildProcess {
  return spawn('bash', [kafkaRun, '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx512m -Xms128m' },
  });
}

/** Resolves once the broker answers on `port`; fails with its output if it exits first. */
async function untilAnswering(name: string, port: number, child: ChildProcess): Promise<void> {
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before answering: ${output}`))),
  );
  const answering = waitFor(() => portAnswers(port), { timeout: 90_000, interval: 200, what: `${name} on ${port}` }).catch(
    (error: Error) => {
      throw new Error(`${error.message}; its output: ${output}`);
    },
  );
  await Promise.race([answering, exited]);
}

/** One broker (its own single-node cluster) to stop and start at will. */
export async function extraBroker() {
  const port = await freePort();
  const controllerPort = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'bookshelf-kafka-'));
  let child: ChildProcess | undefined;
  return {
    address: `127.0.0.1:${port}`,
    async start(): Promise<void> {
      child = startBrokerProcess(port, ['--controller-port', String(controllerPort), '--data', data]);
      await untilAnswering('broker', port, child);
    },
    async stop(): Promise<void> {
      const current = child;
      child = undefined;
      await killNow(current);
    },
    async remove(): Promise<void> {
      await this.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** A Kafka cluster id: 16 random bytes, base64url, not starting with "-" (the format tool would read it as a flag). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export async function kafkaCluster({ size = 3, minInsync = 2 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bookshelf-cluster-'));
  const id = clusterId();
  const taken = new Set<number>();
  const port = async (): Promise<number> => {
    for (;;) {
      const candidate = await freePort();
      if (taken.has(candidate)) continue;
      taken.add(candidate);
      return candidate;
    }
  };
  const ports: { port: number; controller: number }[] = [];
  for (let i = 0; i < size; i++) ports.push({ port: await port(), controller: await port() });
  const voters = ports.map(({ controller }, i) => `${i + 1}@127.0.0.1:${controller}`).join(',');
  const config = [
    `controller.quorum.voters=${voters}`,
    `default.replication.factor=${size}`,
    `min.insync.replicas=${minInsync}`,
    `offsets.topic.replication.factor=${size}`,
    `transaction.state.log.replication.factor=${size}`,
    `transaction.state.log.min.isr=${minInsync}`,
    'unclean.leader.election.enable=false',
  ];

  const brokers: ClusterBroker[] = ports.map(({ port, controller }, i) => {
    const nodeId = i + 1;
    let child: ChildProcess | undefined;
    return {
      nodeId,
      address: `127.0.0.1:${port}`,
      async start() {
        const args = ['--controller-port', String(controller), '--data', join(root, `broker-${nodeId}`), '--node-id', String(nodeId)];
        for (const line of config) args.push('--config', line);
        // Every broker must be formatted with the same cluster id; the last --cluster-id given wins.
        args.push('--format-arg', '--cluster-id', '--format-arg', id);
        child = startBrokerProcess(port, args);
        await untilAnswering(`broker ${nodeId}`, port, child);
      },
      async kill() {
        const current = child;
        child = undefined;
        await killNow(current);
      },
      isRunning: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    };
  });
  const addresses = brokers.map((broker) => broker.address);
  const kafka = (only = addresses) =>
    new Kafka({ clientId: 'bookshelf-fault-test', brokers: only, logLevel: logLevel.NOTHING, retry: { retries: 10, maxRetryTime: 2000 } });

  return {
    brokers,
    addresses,
    kafka,

    /** Starts every broker and waits until the cluster sees all of them. */
    async start(): Promise<void> {
      await Promise.all(brokers.map((broker) => broker.start()));
      await waitFor(
        async () => {
          const admin = kafka().admin();
          await admin.connect();
          try {
            return (await admin.describeCluster()).brokers.length === size;
          } finally {
            await admin.disconnect();
          }
        },
        { timeout: 90_000, interval: 500, what: `a cluster of ${size} brokers` },
      );
    },

    /** A topic whose every partition has `leader` as its preferred leader, replicated on every broker. */
    async createTopic(topic: string, partitions: number, leader = 1): Promise<void> {
      const others = brokers.map((broker) => broker.nodeId).filter((nodeId) => nodeId !== leader);
      const admin = kafka().admin();
      await admin.connect();
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic,
              replicaAssignment: Array.from({ length: partitions }, (_, partition) => ({ partition, replicas: [leader, ...others] })),
              configEntries: [{ name: 'min.insync.replicas', value: String(minInsync) }],
            },
          ],
        });
      } finally {
        await admin.disconnect();
      }
    },

    /** Leader and in-sync replicas of each partition, as the running brokers report them. */
    async partitions(topic: string): Promise<{ partition: number; leader: number; isr: number[] }[]> {
      const running = brokers.filter((broker) => broker.isRunning()).map((broker) => broker.address);
      const admin = kafka(running).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        return (topics[0]?.partitions ?? [])
          .map((p) => ({ partition: p.partitionId, leader: p.leader, isr: p.isr }))
          .sort((a, b) => a.partition - b.partition);
      } finally {
        await admin.disconnect();
      }
    },

    async remove(): Promise<void> {
      await Promise.all(brokers.map((broker) => broker.kill()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export type KafkaCluster = Awaited<ReturnType<typeof kafkaCluster>>;
