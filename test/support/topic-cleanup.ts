/** Deletes the topics a test file made, after its tests, whether they passed or not. */
import { afterAll } from 'vitest';
import { testKafka } from './infra.js';

export function deleteTopicsAfterAll(): string[] {
  const topics: string[] = [];
  afterAll(async () => {
    if (topics.length === 0) return;
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: topics.splice(0), timeout: 10_000 });
    } catch {
      // A topic already gone is fine.
    } finally {
      await admin.disconnect();
    }
  });
  return topics;
}
