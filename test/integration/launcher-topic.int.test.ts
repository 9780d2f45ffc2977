/** The launcher's topic step against the real Kafka: it makes the topic once; a second start finds it and goes on. */
import { afterAll, describe, expect, it } from 'vitest';
import { createTopic } from '../../bookshelf/launcher/infra.js';
import { KAFKA, deleteTopics, testKafka, unique } from '../support/infra.js';

const topic = unique('launcher-topic');
afterAll(() => deleteTopics([topic]));

describe("npm start's topic step", () => {
  it('creates a missing topic with 3 partitions, and on the next start finds it there', async () => {
    await createTopic(topic, KAFKA);
    await expect(createTopic(topic, KAFKA)).resolves.toBeUndefined();
    const admin = testKafka().admin();
    await admin.connect();
    const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    await admin.disconnect();
    expect(described?.partitions).toHaveLength(3);
  });
});
