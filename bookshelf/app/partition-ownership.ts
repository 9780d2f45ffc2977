/**
 * Which partitions of the topic this instance writes, and their writers. A partition the group assigns is
 * taken over in order: open its writer (which fences the previous owner), read it to its end as Kafka reports
 * it for read_committed readers, and only then take commands for it. A partition that is revoked takes no
 * command from that moment; what is under way finishes or is refused.
 */
import { UnavailableError } from './errors.js';
import type { Logger } from './ports.js';
import { retry } from './retry.js';

export interface Appended {
  partition: number;
  offset: number;
}

/** The transactional writer of one partition. */
export interface WriterPort {
  open(): Promise<void>;
  append(messages: { key: string; value: string }[]): Promise<Appended[]>;
  close(): Promise<void>;
}

export type OwnershipState = 'owned' | 'catching_up' | 'not_owned';

export interface PartitionOwnershipOptions {
  logger: Logger;
  /** A writer for the partition; `onFailure` is called once if it is fenced or breaks. */
  createWriter: (partition: number, onFailure: (kind: 'fenced' | 'broken', error: Error) => void) => WriterPort;
  /** The partition's end for read_committed readers (the last stable offset): the next offset to be read. */
  endOffset: (partition: number) => Promise<number>;
  /** Resolves true once the log follower has read the partition up to `end` (exclusive), false after `timeoutMs`. */
  readUpTo: (partition: number, end: number, timeoutMs: number) => Promise<boolean>;
  /** Called whenever the set of owned partitions changed. */
  onChange?: (owned: number[]) => void;
  retryMs?: number;
  /** How long after losing a writer the partition is taken over again, if no new assignment came meanwhile (longer than a heartbeat). */
  retakeAfterMs?: number;
}

interface Held {
  state: 'owned' | 'catching_up';
  writer: WriterPort;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPartitionOwnership({
  logger,
  createWriter,
  endOffset,
  readUpTo,
  onChange,
  retryMs = 500,
  retakeAfterMs = 2500,
}: PartitionOwnershipOptions) {
  let assigned = new Set<number>();
  let partitionCount = 0;
  /** Bumped at every change of assignment: a takeover that started under an older one gives up. */
  let generation = 0;
  const held = new Map<number, Held>();
  /** Writers being closed, per partition: a new writer of the same id waits for the old one to finish. */
  const closing = new Map<number, Promise<void>>();
  let stopped = false;
  /** Whether the first assignment was taken over whole: until then the instance is still starting. */
  let started = false;

  const owned = (): number[] =>
    [...held]
      .filter(([, h]) => h.state === 'owned')
      .map(([p]) => p)
      .sort((a, b) => a - b);
  const changed = () => {
    if (!started && [...assigned].every((p) => held.get(p)?.state === 'owned')) started = true;
    onChange?.(owned());
  };

  function release(partition: number): void {
    const current = held.get(partition);
    if (!current) return;
    held.delete(partition);
    const previous = closing.get(partition) ?? Promise.resolve();
    const done = previous.then(() => current.writer.close()).catch(() => undefined);
    closing.set(partition, done);
    void done.then(() => {
      if (closing.get(partition) === done) closing.delete(partition);
    });
  }

  async function takeOver(partition: number, since: number): Promise<void> {
    const current = () => generation === since && !stopped && assigned.has(partition);
    if (!current()) return;
    // Any failure (a fenced or broken writer too) is tried again for as long as the assignment stands.
    await retry(
      async () => {
        await closing.get(partition);
        if (!current()) return;
        const writer = createWriter(partition, (kind, error) => onWriterFailure(partition, writer, kind, error));
        held.set(partition, { state: 'catching_up', writer });
        try {
          await writer.open();
          const end = await endOffset(partition);
          // A follower that answers "not yet" at once (stopping) must not turn this into a loop that never yields.
          while (current() && held.get(partition)?.writer === writer && !(await readUpTo(partition, end, 1000))) await sleep(10);
          if (!current() || held.get(partition)?.writer !== writer) return;
          held.set(partition, { state: 'owned', writer });
          logger.info({ partition, end }, 'partition taken over');
          changed();
        } catch (error) {
          if (held.get(partition)?.writer === writer) release(partition);
          throw error;
        }
      },
      {
        initialMs: retryMs,
        maxMs: retryMs,
        factor: 1,
        retryOn: 'any',
        stop: () => !current(),
        onRetry: (error, attempt) =>
          logger.warn({ partition, attempt, err: (error as Error).message }, 'cannot take the partition over yet, retrying'),
      },
    ).catch(() => undefined); // only a change of assignment or a stop ends the attempts, and the partition is let go then
  }

  function onWriterFailure(partition: number, writer: WriterPort, kind: 'fenced' | 'broken', error: Error): void {
    if (held.get(partition)?.writer !== writer) return;
    logger.warn(
      { partition, kind, err: error.message },
      kind === 'fenced' ? 'partition lost to a newer writer' : 'partition writer failed',
    );
    release(partition);
    changed();
    // A newer writer means a newer owner, which the group tells this instance about at its next heartbeat. Only if
    // the assignment still stands after that is the partition taken over again (a writer that merely broke).
    const since = generation;
    const timer = setTimeout(() => {
      if (generation === since && assigned.has(partition) && !held.has(partition) && !stopped) void takeOver(partition, since);
    }, retakeAfterMs);
    timer.unref?.();
  }

  return {
    /** A new assignment from the group: everything held is let go, then each assigned partition is taken over. */
    assign(partitions: number[], count: number): void {
      generation++;
      partitionCount = count;
      for (const partition of [...held.keys()]) release(partition);
      assigned = new Set(partitions);
      changed();
      for (const partition of partitions) void takeOver(partition, generation);
    },
    /** The assignment ended: no command is taken for any partition from now on. */
    revokeAll(): void {
      generation++;
      assigned = new Set();
      if (held.size === 0) return;
      for (const partition of [...held.keys()]) release(partition);
      changed();
    },
    stateOf: (partition: number): OwnershipState => held.get(partition)?.state ?? 'not_owned',
    owned,
    /** True once the first assignment was taken over whole (or was empty). */
    started: (): boolean => started,
    partitionCount: (): number => partitionCount,
    /** Appends to an owned partition; refused at once when the partition is not (or no longer) owned. */
    append(partition: number, messages: { key: string; value: string }[]): Promise<Appended[]> {
      const current = held.get(partition);
      if (current?.state !== 'owned') {
        const code = current?.state === 'catching_up' ? 'catching_up' : 'rebalancing';
        return Promise.reject(
          new UnavailableError(code, `partition ${partition} is ${code === 'catching_up' ? 'being read to its end' : 'not owned here'}`, 1),
        );
      }
      return current.writer.append(messages);
    },
    /** Resolves true once the partition is owned (again), false after `timeoutMs`. */
    async whenOwned(partition: number, timeoutMs: number): Promise<boolean> {
      const until = Date.now() + timeoutMs;
      while (held.get(partition)?.state !== 'owned') {
        if (Date.now() > until || stopped || !assigned.has(partition)) return false;
        await sleep(50);
      }
      return true;
    },
    /** Lets every partition go, waiting for the transactions under way. */
    async stop(): Promise<void> {
      stopped = true;
      generation++;
      assigned = new Set();
      for (const partition of [...held.keys()]) release(partition);
      changed();
      await Promise.all([...closing.values()]);
    },
  };
}

export type PartitionOwnership = ReturnType<typeof createPartitionOwnership>;
