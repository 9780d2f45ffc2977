import kafkajsRequestQueue from 'kafkajs/src/network/requestQueue/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka } from '../../bookshelf/adapters/kafka/kafka-client.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { KAFKA, createTopic, unique } from '../support/infra.js';
import { deleteTopic, readTopic } from '../support/owners.js';
import { silentLogger } from '../support/silent-logger.js';

const cleanup = cleanupAfterAll();
const prototype = kafkajsRequestQueue.prototype as { checkPendingRequests: (this: unknown) => void };
const check = prototype.checkPendingRequests;
afterEach(() => {
  prototype.checkPendingRequests = check;
});

/** Counts the looks at a waiting queue, by timer or after an answer, from now on. */
function countChecks(): () => number {
  let checks = 0;
  prototype.checkPendingRequests = function () {
    checks++;
    check.call(this);
  };
  return () => checks;
}

async function connectedProducer(maxInFlightRequests?: number) {
  const topic = unique('request-queue');
  await createTopic(topic, 1);
  cleanup.push(() => deleteTopic(topic));
  const kafka = createKafka({ brokers: [KAFKA], clientId: 'request-queue-test', logger: silentLogger() });
  const producer = kafka.producer({ allowAutoTopicCreation: false, ...(maxInFlightRequests !== undefined && { maxInFlightRequests }) });
  cleanup.push(() => producer.disconnect());
  await producer.connect();
  return { topic, producer };
}

describe('kafkajs connections made by createKafka (real Kafka)', () => {
  it('are not woken on a timer while no request waits', async () => {
    const { topic, producer } = await connectedProducer();
    // The first answer is what started kafkajs's own timer, a millisecond apart, for as long as the connection lives.
    await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] });
    const checks = countChecks();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(checks()).toBe(0);
  });

  it('still send every request that had to wait for room', async () => {
    const { topic, producer } = await connectedProducer(1);
    const checks = countChecks();
    const sends = Array.from({ length: 20 }, (_, n) => producer.send({ topic, acks: -1, messages: [{ key: `k${n}`, value: String(n) }] }));
    await Promise.all(sends);
    // One in flight at a time: the others waited in the queue and were sent as answers came.
    expect(checks()).toBeGreaterThanOrEqual(19);
    const values = (await readTopic(topic)).map(({ value }) => Number(value));
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });
});
