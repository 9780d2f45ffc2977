/**
 * Membership in the consumer group that shares a topic's partitions among the instances of one service.
 * The consumer reads nothing (its partitions are paused; the log follower reads every partition): it only
 * heartbeats, and says which partitions the group assigned to this instance and when that assignment ends.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../../app/ports.js';
import { retry } from '../../app/retry.js';

export interface GroupMembershipOptions {
  kafka: Kafka;
  logger: Logger;
  topic: string;
  groupId: string;
  /** Without a heartbeat for this long, the group gives this instance's partitions to the others. */
  sessionTimeoutMs: number;
  /** A new assignment, after each rebalance; `partitionCount` is the topic's. */
  onAssigned: (partitions: number[], partitionCount: number) => void;
  /** The assignment ended (a rebalance began, the consumer crashed or stopped): own nothing until the next one. */
  onRevoked: (reason: string) => void;
}

export function createGroupMembership({ kafka, logger, topic, groupId, sessionTimeoutMs, onAssigned, onRevoked }: GroupMembershipOptions) {
  let consumer: Consumer | null = null;
  let stopped = false;
  let running: Promise<void> | null = null;
  let partitionCount = 0;

  async function fetchPartitionCount(): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions.length ?? 0;
    } finally {
      await admin.disconnect();
    }
  }

  function create(): Consumer {
    const created = kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      // A member that left or died is noticed at the next heartbeat: keep it short against the session.
      heartbeatInterval: Math.max(100, Math.min(1000, Math.floor(sessionTimeoutMs / 10))),
      rebalanceTimeout: sessionTimeoutMs,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5, restartOnFailure: () => Promise.resolve(false) },
    });
    created.on(created.events.GROUP_JOIN, ({ payload }) => {
      created.pause([{ topic }]);
      const partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      logger.info({ groupId, memberId: payload.memberId, partitions }, 'partitions assigned');
      onAssigned(partitions, partitionCount);
    });
    created.on(created.events.REBALANCING, () => onRevoked('rebalancing'));
    created.on(created.events.STOP, () => onRevoked('stopped'));
    created.on(created.events.CRASH, ({ payload }) => {
      onRevoked('crashed');
      logger.warn({ err: payload.error?.message ?? String(payload.error) }, 'group member crashed, joining again');
      if (!stopped) running = restart();
    });
    return created;
  }

  async function join(): Promise<void> {
    // Any failure is tried again, as the log follower does: the group is joined whenever Kafka lets it.
    await retry(
      async () => {
        partitionCount = await fetchPartitionCount();
        if (partitionCount === 0) throw new Error(`topic ${topic} has no partitions`);
        const created = create();
        consumer = created;
        await created.connect();
        await created.subscribe({ topics: [topic], fromBeginning: false });
        await created.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
        created.pause([{ topic }]);
        // Stopped meanwhile: the stop did not wait for this join, so this one leaves by itself.
        if (stopped) await leave();
      },
      {
        initialMs: 250,
        maxMs: 5000,
        jitter: 0.2,
        retryOn: 'any',
        stop: () => stopped,
        async onRetry(error, attempt) {
          logger.warn({ err: (error as Error).message, attempt }, 'cannot join the group, retrying');
          await leave();
        },
      },
    ).catch(() => leave()); // only a stop ends the attempts: let go of what the last one left
  }

  async function leave(): Promise<void> {
    const current = consumer;
    consumer = null;
    if (current) await current.disconnect().catch(() => undefined);
  }

  async function restart(): Promise<void> {
    await leave();
    await join();
  }

  return {
    /** Joins in the background; never throws. */
    start(): void {
      running = join();
    },
    /** Leaves the group at once, so that the others get this instance's partitions at their next heartbeat. */
    async stop(): Promise<void> {
      stopped = true;
      // A join under way may wait for a whole rebalance; the stop has 2 s in all, so leave after at most one.
      await Promise.race([running?.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      await leave();
      onRevoked('stopped');
    },
  };
}

export type GroupMembership = ReturnType<typeof createGroupMembership>;
