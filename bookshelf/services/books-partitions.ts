/** What `books` needs of Kafka and of its own log to own partitions: their ends, and the outcome of an unconfirmed commit. */
import type { Kafka } from 'kafkajs';
import type { RecordedEvent } from '../domain/events.js';
import { UnavailableError } from '../app/errors.js';
import type { LogPosition } from '../app/log-position.js';
import type { Appended } from '../app/partition-ownership.js';
import { createLogEnds } from '../adapters/kafka/log-ends.js';
import { OutcomeUnknownError } from '../adapters/kafka/partition-writer.js';

/** Ends of partitions for read_committed readers (kafkajs asks with that isolation level): the last stable offset. */
export function createPartitionEnds(kafka: Kafka, topic: string) {
  const ends = createLogEnds({ kafka, topic });
  return {
    async endOffset(partition: number): Promise<number> {
      const found = (await ends.fetch()).find((end) => end.partition === partition);
      if (!found) throw new Error(`topic ${topic} has no partition ${partition}`);
      return found.high;
    },
    close: (): Promise<void> => ends.stop(),
  };
}

/** How long a command whose commit was not confirmed waits for the log to say whether it happened. */
const RESOLVE_WITHIN_MS = 20_000;

/**
 * A commit Kafka did not confirm may have happened. The transaction ends one way or the other (this instance
 * takes the partition over again, or a new owner fences it); once the log follower has read past its records,
 * whether their events were applied says if it committed.
 */
export async function resolveUnknownOutcome(
  error: unknown,
  events: RecordedEvent[],
  runner: { waitFor(position: LogPosition, timeoutMs: number): Promise<boolean>; hasApplied(eventId: string): boolean },
): Promise<Appended[]> {
  if (!(error instanceof OutcomeUnknownError)) throw error;
  const last = error.appended[error.appended.length - 1]!;
  if (await runner.waitFor(new Map([[last.partition, last.offset]]), RESOLVE_WITHIN_MS)) {
    if (runner.hasApplied(events[0]!.metadata.eventId)) return error.appended;
    throw new UnavailableError('broker_unavailable', 'Kafka did not take the events (their transaction was aborted)', 1, { cause: error });
  }
  throw error;
}
