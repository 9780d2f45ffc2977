/**
 * Asks Kafka where each partition of a topic ends now (the high watermark: every acknowledged offset is below it),
 * on one admin connection kept for the purpose. Questions asked while one is out wait for the next, never an older answer.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { PartitionEnds } from '../../app/ports.js';

export function createLogEnds({ kafka, topic }: { kafka: Kafka; topic: string }) {
  let admin: Admin | null = null;
  let connecting: Promise<Admin> | null = null;
  let running: Promise<PartitionEnds[]> | null = null;
  let queued: Promise<PartitionEnds[]> | null = null;

  function connected(): Promise<Admin> {
    if (admin) return Promise.resolve(admin);
    connecting ??= (async () => {
      const created = kafka.admin({ retry: { retries: 1, initialRetryTime: 100 } });
      try {
        await created.connect();
        admin = created;
        return created;
      } finally {
        connecting = null;
      }
    })();
    return connecting;
  }

  async function ask(): Promise<PartitionEnds[]> {
    try {
      const offsets = await (await connected()).fetchTopicOffsets(topic);
      return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    } catch (error) {
      const broken = admin;
      admin = null;
      await broken?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** The ends as Kafka reports them after this call began. */
  function fetch(): Promise<PartitionEnds[]> {
    if (!running) {
      running = ask().finally(() => (running = null));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return fetch();
      });
    return queued;
  }

  return {
    fetch,
    async stop(): Promise<void> {
      const current = admin ?? (await connecting?.catch(() => null));
      admin = null;
      await current?.disconnect().catch(() => undefined);
    },
  };
}

export type LogEnds = ReturnType<typeof createLogEnds>;
