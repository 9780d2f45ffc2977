/**
 * Frames written to event streams in one turn of the event loop, sent together once the turn ends: one write
 * per client instead of one per frame, and one Buffer for every client that was given the same frames (the
 * clients of a shared stream are), so that a change is encoded once however many clients follow it.
 */

export interface BatchTarget {
  /** Sends the frames the turn gave this target, already joined. */
  flush(bytes: Buffer): void;
}

const sameFrames = (a: string[], b: string[]): boolean => a.length === b.length && a.every((text, i) => text === b[i]);

/** `minIntervalMs`: after a flush the next waits at least this long, so that under load a client gets one write per interval. */
export function createFrameBatch({ minIntervalMs = 0 }: { minIntervalMs?: number } = {}) {
  const queued = new Map<BatchTarget, string[]>();
  let scheduled = false;
  let lastFlush = -Infinity;

  function flush(): void {
    scheduled = false;
    lastFlush = performance.now();
    let last: { frames: string[]; bytes: Buffer } | undefined;
    // Targets queued while flushing (a write that closed a stream wakes its listeners) go in the next turn.
    const batch = [...queued];
    queued.clear();
    for (const [target, frames] of batch) {
      if (last === undefined || !sameFrames(frames, last.frames)) last = { frames, bytes: Buffer.from(frames.join('')) };
      target.flush(last.bytes);
    }
  }

  return {
    queue(target: BatchTarget, text: string): void {
      const frames = queued.get(target);
      if (frames === undefined) queued.set(target, [text]);
      else frames.push(text);
      if (!scheduled) {
        scheduled = true;
        const wait = lastFlush + minIntervalMs - performance.now();
        if (wait > 0) setTimeout(flush, wait);
        else setImmediate(flush);
      }
    },
    /** What is queued for `target`, taken out of the batch (it closes now, or is dropped). */
    take(target: BatchTarget): string[] {
      const frames = queued.get(target) ?? [];
      queued.delete(target);
      return frames;
    },
  };
}

export type FrameBatch = ReturnType<typeof createFrameBatch>;
