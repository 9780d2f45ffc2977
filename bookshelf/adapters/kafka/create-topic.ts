/**
 * Creates a topic and waits until every partition has a leader. A broker that has just started
 * may not know the new topic's partitions yet when asked for them: such retriable errors are tried again.
 */
import type { Admin, ITopicConfig } from 'kafkajs';

const ATTEMPTS = 20;

/** Resolves true when created, false when it existed already. */
export async function createTopic(admin: Admin, topic: ITopicConfig): Promise<boolean> {
  let created = false;
  for (let attempt = 1; ; attempt++) {
    try {
      // A retry of a creation that went through finds the topic there: it was still this call that made it.
      created = (await admin.createTopics({ waitForLeaders: true, topics: [topic] })) || created;
      return created;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt >= ATTEMPTS) throw error;
      created = created || (await admin.listTopics()).includes(topic.topic);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
