import { describe, expect, it } from 'vitest';
import { createCaughtUp } from '../../bookshelf/app/caught-up.js';
import { parsePosition } from '../../bookshelf/app/log-position.js';
import { createLogProgress } from '../../bookshelf/app/log-progress.js';

const started = (ends: { partition: number; low: number; high: number }[]) => {
  const progress = createLogProgress('t');
  progress.setStartEnds(ends);
  return progress;
};

describe('the progress through the log', () => {
  describe('before the ends at start are known', () => {
    it('is not read to them, and calls no position beyond the log', () => {
      const progress = createLogProgress('t');
      expect(progress.readToStartEnds()).toBe(false);
      expect(progress.pastEnds(parsePosition('7:9'))).toEqual([]);
    });
  });

  describe('when the partitions ended at 2 and 0 at start', () => {
    it('is read to them once partition 0 is past offset 1, and a partition empty from the start counts as read', () => {
      const progress = started([
        { partition: 0, low: 0, high: 2 },
        { partition: 1, low: 0, high: 0 },
      ]);
      expect(progress.report()).toEqual({
        lag: 2,
        partitions: { 0: { applied: null, end: 2, lag: 2 }, 1: { applied: null, end: 0, lag: 0 } },
      });
      progress.moveTo(0, 1);
      expect(progress.readToStartEnds()).toBe(false);
      progress.moveTo(0, 2);
      expect(progress.readToStartEnds()).toBe(true);
      expect(progress.report()).toMatchObject({ lag: 0, partitions: { 0: { applied: 1, end: 2, lag: 0 } } });
    });

    it('keeps the first ends it was told, and counts lag from a partition’s low offset', () => {
      const progress = started([{ partition: 0, low: 5, high: 8 }]);
      expect(progress.setStartEnds([{ partition: 0, low: 0, high: 100 }])).toBe(false);
      expect(progress.report()).toMatchObject({ lag: 3 });
    });

    it('names the wanted offsets at or past an end, and a partition the topic lacks', () => {
      const progress = started([{ partition: 0, low: 0, high: 2 }]);
      expect(progress.pastEnds(parsePosition('0:1'))).toEqual([]);
      expect(progress.pastEnds(parsePosition('0:2,4:0'))).toEqual(['partition 0 ends before offset 2', 'partition 4 is not in topic t']);
      progress.raiseEnds([{ partition: 0, low: 0, high: 3 }]);
      progress.raiseEnds([{ partition: 0, low: 0, high: 1 }]);
      expect(progress.pastEnds(parsePosition('0:2'))).toEqual([]);
    });
  });

  describe('as the position moves', () => {
    it('writes the applied position as a token, made again after each move', () => {
      const progress = createLogProgress('t');
      expect(progress.appliedPosition()).toBe('');
      progress.moveTo(2, 6);
      progress.moveTo(0, 1);
      expect(progress.appliedPosition()).toBe('0:0,2:5');
      progress.moveTo(0, 3);
      expect(progress.appliedPosition()).toBe('0:2,2:5');
      expect(progress.reached(parsePosition('0:2,2:5'))).toBe(true);
      expect(progress.reached(parsePosition('0:3'))).toBe(false);
    });

    it('remembers the newest record read per partition, and forgets it all when cleared', () => {
      const progress = started([{ partition: 0, low: 0, high: 9 }]);
      const record = (offset: number) => ({ partition: 0, offset: String(offset), value: 'v', timestamp: '0' });
      progress.remember(0, record(4));
      progress.remember(0, record(2));
      expect(progress.lastRecords().get(0)?.offset).toBe(4);
      progress.moveTo(0, 5);
      progress.clear();
      expect([progress.lastRecords().size, progress.next().size, progress.appliedPosition(), progress.readToStartEnds()]).toEqual([
        0,
        0,
        '',
        false,
      ]);
    });
  });
});

describe('caught up', () => {
  it('becomes true once the start is reached, says so once, and stays until reset', () => {
    let reached = false;
    let said = 0;
    const caughtUp = createCaughtUp({ reachedStart: () => reached, onCaughtUp: () => said++ });
    caughtUp.check();
    expect(caughtUp.is()).toBe(false);
    reached = true;
    caughtUp.check();
    caughtUp.check();
    reached = false;
    caughtUp.check();
    expect([caughtUp.is(), said]).toEqual([true, 1]);
    caughtUp.reset();
    expect(caughtUp.is()).toBe(false);
  });
});
