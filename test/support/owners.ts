/** Several `books` instances sharing one topic, seen as a user sees them: through Consul's catalog. */
import { randomUUID } from 'node:crypto';
import { partitionOf } from '../../bookshelf/app/book-partition.js';
import { catalogService, consulGet, testKafka } from './infra.js';
import { waitFor } from './wait-for.js';

/** Partition → id of the passing instance whose meta `partitions` names it (only passing instances count). */
export async function ownersInConsul(name: string): Promise<Map<number, string[]>> {
  const entries = await consulGet<{ Service: { ID: string; Meta: Record<string, string> | null }; Checks: { Status: string }[] }[]>(
    `/v1/health/service/${name}?passing`,
  );
  const owners = new Map<number, string[]>();
  for (const { Service } of entries) {
    for (const part of (Service.Meta?.partitions ?? '').split(',').filter((p) => p !== ''))
      owners.set(Number(part), [...(owners.get(Number(part)) ?? []), Service.ID]);
  }
  return owners;
}

/** Waits until the passing instances' meta covers partitions 0..count-1 exactly once, among `instances` of them; returns partition → id. */
export async function waitForCoverage(name: string, count: number, instances: number, timeout = 30_000): Promise<Map<number, string>> {
  return waitFor(
    async () => {
      const owners = await ownersInConsul(name);
      const ids = new Set([...owners.values()].flat());
      const once = Array.from({ length: count }, (_, p) => owners.get(p)?.length === 1).every(Boolean);
      const catalog = await catalogService(name);
      return once && owners.size === count && ids.size === instances && catalog.length >= instances
        ? new Map([...owners].map(([p, [id]]) => [p, id!]))
        : undefined;
    },
    { timeout, what: `${instances} instances of ${name} owning ${count} partitions once each` },
  );
}

/** A book id on the given partition. */
export function idOnPartition(partition: number, count: number, prefix = 'b'): string {
  for (;;) {
    const id = `${prefix}-${randomUUID().slice(0, 8)}`;
    if (partitionOf(id, count) === partition) return id;
  }
}

export async function deleteTopic(topic: string): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Every event of the topic, read_committed, from the beginning to the end as it is now. */
export async function readTopic(topic: string): Promise<{ partition: number; offset: number; value: Record<string, unknown> }[]> {
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const wanted = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const events: { partition: number; offset: number; value: Record<string, unknown> }[] = [];
  const next = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: `read-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => next.set(payload.partition, Number(payload.lastOffset) + 1));
  const done = () => [...wanted].every(([p, end]) => end === 0 || (next.get(p) ?? 0) >= end);
  await consumer.run({
    eachBatch: ({ batch }) => {
      for (const message of batch.messages)
        events.push({
          partition: batch.partition,
          offset: Number(message.offset),
          value: JSON.parse(message.value!.toString()) as Record<string, unknown>,
        });
      return Promise.resolve();
    },
  });
  try {
    await waitFor(() => done(), { timeout: 30_000, what: `topic ${topic} read to its end` });
  } finally {
    await consumer.disconnect();
  }
  return events;
}
