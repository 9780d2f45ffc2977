/**
 * Read-your-writes: resolves waits once the log is applied up to a position, and says when a position lies beyond
 * the log's end instead of letting a read wait for it in vain.
 */
import type { LogPosition } from './log-position.js';
import type { LogProgress } from './log-progress.js';
import type { PartitionEnds } from './ports.js';

/**
 * Pauses before each look at the log's end when a position seems beyond it (ms, a tenth of a second in all), then
 * every LATER_RECHECK_MS for as long as the read would wait, up to BEYOND_FOR_MS. The first comes before Kafka is asked at all: a position
 * just written is usually applied by then.
 */
const BEYOND_RECHECK_MS = [10, 10, 20, 60];
const LATER_RECHECK_MS = 100;
/** At most this long, so that a token truly beyond the log is refused promptly, not after the whole wait. */
const BEYOND_FOR_MS = 500;

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
     * `waitMs`: how long the read would wait for the position; Kafka is asked again for that long, half a second at most.
     */
    beyondLog: async (position: LogPosition, waitMs = 0): Promise<string | null> => {
      if (progress.pastEnds(position).length === 0) return null;
      if (!fetchEnds) return null;
      // Kafka reports the end that read_committed readers see: it passes a committed transaction only once the
      // commit markers are written, a few milliseconds after the writer was told, more on a loaded broker. Asked
      // only for that end, a look cannot tell "committed, markers not yet written" from "never written": so the
      // position is called beyond only once it stayed past the end for a while.
      const until = Date.now() + Math.min(waitMs, BEYOND_FOR_MS);
      for (let look = 0; look < BEYOND_RECHECK_MS.length || Date.now() < until; look++) {
        // Applied during the pause (the consumer often gets there before Kafka's answer): it was never beyond.
        if (await reachedWithin(position, BEYOND_RECHECK_MS[look] ?? LATER_RECHECK_MS)) return null;
        // Stopping: no more waiting; the answer is what Kafka said last.
        if (closed) break;
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
