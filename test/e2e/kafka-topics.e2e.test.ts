import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KAFKA, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';

const script = fileURLToPath(new URL('../../kafka-topics.sh', import.meta.url));

const run = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(script, args, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });

describe('./kafka-topics.sh, as a user runs it', () => {
  it('creates, lists, describes and deletes a topic with Kafka’s flags', async () => {
    const topic = unique('tool');
    const server = ['--bootstrap-server', KAFKA];
    expect(
      await run('--create', '--topic', topic, '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=-1', ...server),
    ).toMatchObject({ code: 0, stdout: `Created topic ${topic}.\n` });
    expect((await run('--list', ...server)).stdout.split('\n')).toContain(topic);

    const described = await run('--describe', '--topic', topic, ...server);
    expect(described.code).toBe(0);
    const lines = described.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Topic: ${topic}\tPartitionCount: 3\tReplicationFactor: 1`);
    expect(lines.slice(1).map((line) => line.split('\t')[2])).toEqual(['Partition: 0', 'Partition: 1', 'Partition: 2']);

    const again = await run('--create', '--topic', topic, '--partitions', '3', '--replication-factor', '1', ...server);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Topic '${topic}' already exists.`);
    expect(
      await run('--create', '--if-not-exists', '--topic', topic, '--partitions', '3', '--replication-factor', '1', ...server),
    ).toMatchObject({ code: 0, stdout: '' });

    expect((await run('--delete', '--topic', topic, ...server)).code).toBe(0);
    await waitFor(async () => !(await run('--list', ...server)).stdout.split('\n').includes(topic), { what: 'topic gone' });
  });

  it('accepts the old --zookeeper flag with a warning, and defaults to localhost:9092', async () => {
    const topic = unique('zk');
    const created = await run(
      '--zookeeper',
      'localhost:2181',
      '--create',
      '--topic',
      topic,
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    );
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Kafka 4 has no ZooKeeper');
    await run('--delete', '--topic', topic);
  });

  it('refuses bad usage with exit code 2 and one line', async () => {
    expect(await run('--create', '--partitions', '3')).toMatchObject({
      code: 2,
      stderr: 'kafka-topics.sh: --create needs --topic (see --help)\n',
    });
    expect(await run('--create', '--topic', 'x', '--partitions', 'many')).toMatchObject({ code: 2 });
    expect(await run('--list', '--describe')).toMatchObject({ code: 2 });
  });
});
