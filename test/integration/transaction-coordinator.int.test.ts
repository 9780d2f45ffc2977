import { describe, expect, it } from 'vitest';
import { createKafka } from '../../bookshelf/adapters/kafka/kafka-client.js';
import { rememberTransactionCoordinators } from '../../bookshelf/adapters/kafka/transaction-coordinator.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { KAFKA, createTopic, unique } from '../support/infra.js';
import { deleteTopic, readTopic } from '../support/owners.js';
import { silentLogger } from '../support/silent-logger.js';

const cleanup = cleanupAfterAll();

/** A transactional producer of a new one-partition topic, connected, with the names of the requests it sends. */
async function transactionalProducer() {
  const topic = unique('coordinator');
  await createTopic(topic, 1);
  cleanup.push(() => deleteTopic(topic));
  rememberTransactionCoordinators();
  const kafka = createKafka({ brokers: [KAFKA], clientId: 'coordinator-test', logger: silentLogger() });
  const producer = kafka.producer({ transactionalId: `${topic}-0`, idempotent: true, maxInFlightRequests: 1 });
  cleanup.push(() => producer.disconnect());
  const asked: string[] = [];
  producer.on(producer.events.REQUEST, ({ payload }) => asked.push(payload.apiName));
  await producer.connect();
  return { topic, producer, asked };
}

describe('a transactional producer’s coordinator (real Kafka)', () => {
  it('is looked up once, not before every transaction’s first request and its commit', async () => {
    const { topic, producer, asked } = await transactionalProducer();
    for (let n = 0; n < 5; n++) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, acks: -1, messages: [{ key: `k${n}`, value: JSON.stringify({ n }) }] });
      await transaction.commit();
    }
    expect(asked.filter((api) => api === 'EndTxn')).toHaveLength(5);
    // Once for InitProducerId; kafkajs alone asks before every AddPartitionsToTxn and EndTxn (11 times).
    expect(asked.filter((api) => api === 'GroupCoordinator')).toHaveLength(1);
    expect((await readTopic(topic)).length).toBe(5);
  });

  it('is asked again in place when a transaction begins while the last one’s markers are written, not after a metadata refresh', async () => {
    const { topic, producer, asked } = await transactionalProducer();
    const begun = asked.length;
    // Back to back: many of these transactions begin while Kafka still writes the last one's commit markers.
    for (let n = 0; n < 30; n++) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, acks: -1, messages: [{ key: `k${n}`, value: JSON.stringify({ n }) }] });
      await transaction.commit();
    }
    const during = asked.slice(begun);
    // Each AddPartitionsToTxn past one a transaction was refused (how many depends on the broker's pace); kafkajs alone
    // refreshes its metadata before it tries a refused one again. One Metadata is the first send's, for the topic.
    const refused = during.filter((api) => api === 'AddPartitionsToTxn').length - 30;
    expect({ refused, metadata: during.filter((api) => api === 'Metadata').length }).toEqual({ refused, metadata: 1 });
    expect((await readTopic(topic)).length).toBe(30);
  });
});
