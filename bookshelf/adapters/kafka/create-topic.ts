/**
 * Creates a topic and waits until every partition has a leader. A broker that has just started
 * may not know the new topic's partitions yet when asked for them: such retriable errors are tried again.
 */
import type { Admin, ITopicConfig } from 'kafkajs';
import { retry } from '../../app/retry.js';

const ATTEMPTS = 20;

/** Resolves true when created, false when it existed already. */
export async function createTopic(admin: Admin, topic: ITopicConfig): Promise<boolean> {
  let created = false;
  await retry(
    async () => {
      // A retry of a creation that went through finds the topic there: it was still this call that made it.
      created = (await admin.createTopics({ waitForLeaders: true, topics: [topic] })) || created;
    },
    {
      initialMs: 250,
      maxMs: 250,
      factor: 1,
      attempts: ATTEMPTS,
      retryOn: 'marked',
      onRetry: async () => {
        created = created || (await admin.listTopics()).includes(topic.topic);
      },
    },
  );
  return created;
}
