/** What `books` needs of Kafka and of its own log to own partitions: their ends, and the outcome of an unconfirmed commit. */
import type { Admin, Kafka } from 'kafkajs';
import type { RecordedEvent } from '../domain/events.js';
import { bookState, type BookStates } from '../domain/projections/book-states.projection.js';
import { UnavailableError } from '../app/errors.js';
import type { Appended, PartitionOwnership } from '../app/partition-ownership.js';
import { OutcomeUnknownError } from '../adapters/kafka/partition-writer.js';

/** Ends of partitions for read_committed readers (kafkajs asks with that isolation level): the last stable offset. */
export function createPartitionEnds(kafka: Kafka, topic: string) {
  let admin: Admin | null = null;
  let connecting: Promise<Admin> | null = null;
  const connected = (): Promise<Admin> => {
    if (admin) return Promise.resolve(admin);
    connecting ??= (async () => {
      const created = kafka.admin();
      try {
        await created.connect();
        admin = created;
        return created;
      } finally {
        connecting = null;
      }
    })();
    return connecting;
  };
  return {
    async endOffset(partition: number): Promise<number> {
      const offsets = await (await connected()).fetchTopicOffsets(topic);
      const found = offsets.find((o) => o.partition === partition);
      if (!found) throw new Error(`topic ${topic} has no partition ${partition}`);
      return Number(found.high);
    },
    async close(): Promise<void> {
      const current = admin;
      admin = null;
      await current?.disconnect().catch(() => undefined);
    },
  };
}

/** How long a command whose commit was not confirmed waits for its partition to be owned and read again. */
const RESOLVE_WITHIN_MS = 20_000;

/**
 * A commit Kafka did not confirm may have happened. Once the partition is taken over again (which ends that
 * transaction one way or the other) and read to its end, the book's version says whether the events are in:
 * nobody else wrote the partition meanwhile, and the book's commands run one at a time.
 */
export async function resolveUnknownOutcome(error: unknown, events: RecordedEvent[], { ownership, partition, view }: { ownership: PartitionOwnership; partition: number; view: () => BookStates }): Promise<Appended[]> {
  if (!(error instanceof OutcomeUnknownError)) throw error;
  const last = events[events.length - 1]!;
  if (await ownership.whenOwned(partition, RESOLVE_WITHIN_MS)) {
    if (bookState(view(), last.metadata.aggregate!).version >= last.metadata.version!) return error.appended;
    throw new UnavailableError('broker_unavailable', 'Kafka did not take the events (the transaction was aborted)', 1, { cause: error });
  }
  throw error;
}
