/**
 * Read-your-writes: resolves waits once the log is applied up to a position, and says when a position lies beyond
 * the log's end instead of letting a read wait for it in vain.
 */
import type { LogPosition } from './log-position.js';
import type { LogProgress } from './log-progress.js';
import type { PartitionEnds } from './ports.js';

/**
 * Pauses before each look at the log's end when a position seems beyond it (ms, a tenth of a second in all). The
 * first comes before Kafka is asked at all: a position just written is usually applied by then.
 */
const BEYOND_RECHECK_MS = [10, 10, 20, 60];

interface Waiter {
  position: LogPosition;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

export interface PositionWaitersOptions {
  progress: Pick<LogProgress, 'reached' | 'pastEnds' | 'raiseEnds'>;
  /** Asks Kafka where the partitions end now, when a wanted position looks beyond what it last reported. */
  fetchEnds?: () => Promise<readonly PartitionEnds[]>;
}

export function createPositionWaiters({ progress, fetchEnds }: PositionWaitersOptions) {
  const waiters = new Set<Waiter>();
  let closed = false;

  /** True as soon as `position` is applied, false after `timeoutMs`. */
  function reachedWithin(position: LogPosition, timeoutMs: number): Promise<boolean> {
    if (progress.reached(position)) return Promise.resolve(true);
    if (closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  }

  return {
    /** Resolves true once `position` is applied, false after `timeoutMs`. */
    waitFor: (position: LogPosition, timeoutMs: number): Promise<boolean> => {
      if (progress.reached(position)) return Promise.resolve(true);
      if (timeoutMs <= 0) return Promise.resolve(false);
      return reachedWithin(position, timeoutMs);
    },

    /** The position moved: answers the waits it reached. */
    settle(): void {
      for (const waiter of waiters) {
        if (progress.reached(waiter.position)) {
          clearTimeout(waiter.timer);
          waiters.delete(waiter);
          waiter.resolve(true);
        }
      }
    },

    /**
     * Why `position` lies beyond the end of the log, or null when it may yet be reached. Kafka is asked again first,
     * so that an offset acknowledged since its last report is never called beyond; unreachable, nothing is.
     */
    beyondLog: async (position: LogPosition): Promise<string | null> => {
      if (progress.pastEnds(position).length === 0) return null;
      if (!fetchEnds) return null;
      // Kafka reports the end that read_committed readers see: it passes a committed transaction only once the
      // commit markers are written, a few milliseconds after the writer was told. Ask a few times before refusing.
      for (const pause of BEYOND_RECHECK_MS) {
        // Applied during the pause (the consumer often gets there before Kafka's answer): it was never beyond.
        if (await reachedWithin(position, pause)) return null;
        try {
          progress.raiseEnds(await fetchEnds());
        } catch {
          return null;
        }
        if (progress.pastEnds(position).length === 0) return null;
      }
      return progress.pastEnds(position).join('; ');
    },

    /** Answers every wait now (not reached), and every later one at once: the service is stopping. */
    close: (): void => {
      closed = true;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve(false);
      }
      waiters.clear();
    },
  };
}
