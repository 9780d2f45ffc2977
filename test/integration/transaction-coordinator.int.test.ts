import { describe, expect, it } from 'vitest';
import { createKafka } from '../../bookshelf/adapters/kafka/kafka-client.js';
import { rememberTransactionCoordinators } from '../../bookshelf/adapters/kafka/transaction-coordinator.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { KAFKA, createTopic, unique } from '../support/infra.js';
import { deleteTopic, readTopic } from '../support/owners.js';
import { silentLogger } from '../support/silent-logger.js';

const cleanup = cleanupAfterAll();

describe('a transactional producer’s coordinator (real Kafka)', () => {
  it('is looked up once, not before every transaction’s first request and its commit', async () => {
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
});
