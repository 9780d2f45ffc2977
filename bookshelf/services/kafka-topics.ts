/**
 * `./kafka-topics.sh`: Kafka's topic tool, with its flags, in Node (kafkajs admin) so that it needs no Java.
 */
import { Kafka, logLevel } from 'kafkajs';
import yargs from 'yargs';
import { createTopic } from '../adapters/kafka/create-topic.js';

export type TopicCommand =
  | {
      action: 'create';
      topic: string;
      partitions?: number;
      replicationFactor?: number;
      ifNotExists: boolean;
      configs: { name: string; value: string }[];
    }
  | { action: 'list' }
  | { action: 'describe'; topic?: string }
  | { action: 'delete'; topic: string };

export interface TopicArgs {
  command: TopicCommand;
  bootstrap: string[];
  warnings: string[];
}

export class UsageError extends Error {}

/** Reads Kafka's topic-tool flags; throws UsageError with a one-line reason. */
export async function parseTopicArgs(argv: string[]): Promise<TopicArgs | { help: string }> {
  let help = '';
  let failure: string | undefined;
  const parsed = await yargs(argv)
    .scriptName('kafka-topics.sh')
    .usage('$0 --bootstrap-server HOST:PORT (--create | --list | --describe | --delete) [--topic T] …')
    .parserConfiguration({ 'camel-case-expansion': false, 'parse-numbers': false })
    .options({
      create: { type: 'boolean', describe: 'create a topic' },
      list: { type: 'boolean', describe: 'list the topics' },
      describe: { type: 'boolean', describe: 'describe a topic (or all)' },
      delete: { type: 'boolean', describe: 'delete a topic' },
      topic: { type: 'string', describe: 'the topic' },
      partitions: { type: 'string', describe: 'partitions of a new topic' },
      'replication-factor': { type: 'string', describe: 'replicas of each partition of a new topic' },
      'if-not-exists': { type: 'boolean', describe: 'with --create: no error if the topic exists' },
      'if-exists': { type: 'boolean', describe: 'with --delete/--describe: no error if the topic is missing' },
      config: { type: 'string', array: true, describe: 'topic config key=value, repeatable' },
      'bootstrap-server': { type: 'string', default: 'localhost:9092', describe: 'Kafka broker(s), comma-separated' },
      zookeeper: { type: 'string', describe: 'ignored: Kafka 4 has no ZooKeeper' },
    })
    .strict()
    .version(false)
    .help('help')
    .exitProcess(false)
    .fail((message) => {
      failure = message;
    })
    .parseAsync(argv, {}, (_e, _a, output) => {
      help = output;
    });
  if (failure) throw new UsageError(failure);
  if (parsed.help) return { help };

  const warnings: string[] = [];
  if (parsed.zookeeper !== undefined) warnings.push('--zookeeper is ignored: Kafka 4 has no ZooKeeper; using --bootstrap-server');
  const actions = (['create', 'list', 'describe', 'delete'] as const).filter((action) => parsed[action]);
  if (actions.length !== 1) throw new UsageError('give exactly one of --create, --list, --describe, --delete');
  const bootstrap = String(parsed['bootstrap-server'])
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const topic = parsed.topic;
  const positive = (flag: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} must be a positive integer (got ${raw})`);
    return value;
  };

  const action = actions[0]!;
  let command: TopicCommand;
  switch (action) {
    case 'create': {
      if (!topic) throw new UsageError('--create needs --topic');
      const configs = (parsed.config ?? []).map((entry) => {
        const at = String(entry).indexOf('=');
        if (at < 1) throw new UsageError(`--config expects key=value (got ${entry})`);
        return { name: String(entry).slice(0, at), value: String(entry).slice(at + 1) };
      });
      const partitions = positive('partitions', parsed.partitions);
      const replicationFactor = positive('replication-factor', parsed['replication-factor']);
      command = {
        action,
        topic,
        ifNotExists: Boolean(parsed['if-not-exists']),
        configs,
        ...(partitions !== undefined && { partitions }),
        ...(replicationFactor !== undefined && { replicationFactor }),
      };
      break;
    }
    case 'delete':
      if (!topic) throw new UsageError('--delete needs --topic');
      command = { action, topic };
      break;
    case 'describe':
      command = { action, ...(topic !== undefined && { topic }) };
      break;
    case 'list':
      command = { action };
      break;
  }
  return { command, bootstrap, warnings };
}

export async function runTopicCommand({ command, bootstrap }: TopicArgs, out: (line: string) => void): Promise<void> {
  const admin = new Kafka({ clientId: 'kafka-topics', brokers: bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    switch (command.action) {
      case 'list':
        for (const topic of (await admin.listTopics()).sort()) out(topic);
        return;
      case 'create': {
        const existing = await admin.listTopics();
        if (existing.includes(command.topic)) {
          if (command.ifNotExists) return;
          throw new Error(`Topic '${command.topic}' already exists.`);
        }
        await createTopic(admin, {
          topic: command.topic,
          numPartitions: command.partitions ?? -1,
          replicationFactor: command.replicationFactor ?? -1,
          configEntries: command.configs,
        });
        out(`Created topic ${command.topic}.`);
        return;
      }
      case 'delete':
        if (!(await admin.listTopics()).includes(command.topic)) throw new Error(`Topic '${command.topic}' does not exist as expected`);
        await admin.deleteTopics({ topics: [command.topic] });
        return;
      case 'describe': {
        const topics = command.topic ? [command.topic] : (await admin.listTopics()).sort();
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
        for (const topic of metadata) {
          const partitions = [...topic.partitions].sort((a, b) => a.partitionId - b.partitionId);
          out(`Topic: ${topic.name}\tPartitionCount: ${partitions.length}\tReplicationFactor: ${partitions[0]?.replicas.length ?? 0}`);
          for (const p of partitions) {
            out(
              `\tTopic: ${topic.name}\tPartition: ${p.partitionId}\tLeader: ${p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`,
            );
          }
        }
        return;
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export async function main(argv: string[]): Promise<number> {
  // `./kafka-topics.sh --list | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    const args = await parseTopicArgs(argv);
    if ('help' in args) {
      process.stdout.write(`${args.help}\n`);
      return 0;
    }
    for (const warning of args.warnings) process.stderr.write(`Warning: ${warning}\n`);
    await runTopicCommand(args, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kafka-topics.sh: ${error.message} (see --help)\n`);
      return 2;
    }
    process.stderr.write(`Error while executing topic command : ${(error as Error).message}\n`);
    return 1;
  }
}
