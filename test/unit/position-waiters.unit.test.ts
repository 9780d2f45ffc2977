import { describe, expect, it } from 'vitest';
import { parsePosition } from '../../bookshelf/app/log-position.js';
import { createLogProgress } from '../../bookshelf/app/log-progress.js';
import { createPositionWaiters } from '../../bookshelf/app/position-waiters.js';
import type { PartitionEnds } from '../../bookshelf/app/ports.js';

function waitersOn(ends: PartitionEnds[], fetchEnds?: () => Promise<PartitionEnds[]>) {
  const progress = createLogProgress('t');
  progress.setStartEnds(ends);
  return { progress, waiters: createPositionWaiters({ progress, ...(fetchEnds && { fetchEnds }) }) };
}

describe('waits for a position', () => {
  it('answers at once for one applied, and when the position moves past one to come', async () => {
    const { progress, waiters } = waitersOn([{ partition: 0, low: 0, high: 9 }]);
    progress.moveTo(0, 1);
    await expect(waiters.waitFor(parsePosition('0:0'), 0)).resolves.toBe(true);
    const waiting = waiters.waitFor(parsePosition('0:2'), 5000);
    progress.moveTo(0, 2);
    waiters.settle();
    let done = false;
    void waiting.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    progress.moveTo(0, 3);
    waiters.settle();
    await expect(waiting).resolves.toBe(true);
  });

  it('gives up after the wait', async () => {
    const { waiters } = waitersOn([]);
    await expect(waiters.waitFor(parsePosition('3:10'), 20)).resolves.toBe(false);
  });

  describe('when the service is stopping', () => {
    it('answers the waits now, and later ones at once, as not reached', async () => {
      const { waiters } = waitersOn([{ partition: 0, low: 0, high: 9 }]);
      const waiting = waiters.waitFor(parsePosition('0:5'), 60_000);
      waiters.close();
      await expect(waiting).resolves.toBe(false);
      await expect(waiters.waitFor(parsePosition('0:5'), 60_000)).resolves.toBe(false);
    });
  });
});

describe('a position beyond the log', () => {
  it('is named once Kafka, asked four times, still ends before it', async () => {
    let asked = 0;
    const { waiters } = waitersOn(
      [{ partition: 0, low: 0, high: 1 }],
      () => (asked++, Promise.resolve([{ partition: 0, low: 0, high: 1 }])),
    );
    expect(await waiters.beyondLog(parsePosition('0:0'))).toBeNull();
    expect(await waiters.beyondLog(parsePosition('0:1'))).toBe('partition 0 ends before offset 1');
    expect(asked).toBe(4);
  });

  it('is not one Kafka has since reached, nor one asked while Kafka cannot answer, nor any without a way to ask', async () => {
    const grown = waitersOn([{ partition: 0, low: 0, high: 0 }], () => Promise.resolve([{ partition: 0, low: 0, high: 6 }]));
    expect(await grown.waiters.beyondLog(parsePosition('0:5'))).toBeNull();
    const down = waitersOn([{ partition: 0, low: 0, high: 0 }], () => Promise.reject(new Error('no broker')));
    expect(await down.waiters.beyondLog(parsePosition('0:5'))).toBeNull();
    expect(await waitersOn([{ partition: 0, low: 0, high: 0 }]).waiters.beyondLog(parsePosition('0:5'))).toBeNull();
  });
});
