/** Topics on the shared Kafka (or a broker of a test's own): unique names, creation with retries, deletion. */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic as createTopicOn } from '../bookshelf/adapters/kafka/create-topic.js';
import { KAFKA } from './infra-addresses.js';

/** A name no other run uses: `<prefix>-<time>-<random>`. */
export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export const kafkaClient = (clientId: string, broker = KAFKA) => new Kafka({ clientId, brokers: [broker], logLevel: logLevel.NOTHING });

/** Creates the topic and waits for its leaders; retriable errors of a broker that has just started are tried again. */
export async function createTopic(topic: string, { partitions = 3, broker = KAFKA, clientId = 'bookshelf-harness' } = {}): Promise<void> {
  const admin = kafkaClient(clientId, broker).admin();
  await admin.connect();
  try {
    await createTopicOn(admin, { topic, numPartitions: partitions, replicationFactor: 1 });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes those of `names` that exist on `broker` and returns them; a broker that is gone (a test's own) is left alone. */
export async function deleteTopics(
  names: Iterable<string>,
  { broker = KAFKA, clientId = 'bookshelf-harness', timeout = 10_000 } = {},
): Promise<string[]> {
  const admin = new Kafka({
    clientId,
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 1 },
  }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const doomed = [...names].filter((name) => existing.has(name));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout });
    return doomed;
  } catch {
    return [];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
