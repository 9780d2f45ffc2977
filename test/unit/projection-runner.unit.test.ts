import { describe, expect, it } from 'vitest';
import { createProjectionRunner } from '../../bookshelf/app/projection-runner.js';
import { parsePosition } from '../../bookshelf/app/log-position.js';
import type { EventCounters, LogRecord } from '../../bookshelf/app/ports.js';
import { lastReadBooks, lastReadProjection } from '../../bookshelf/domain/projections/last-read.projection.js';
import { silentLogger } from '../support/silent-logger.js';

function setup() {
  const counted = { applied: 0, rejected: [] as string[], ignored: 0, duplicates: 0 };
  const counters: EventCounters = {
    applied: (n) => (counted.applied += n),
    rejected: (reason) => counted.rejected.push(reason),
    ignored: () => counted.ignored++,
    duplicate: () => counted.duplicates++,
  };
  let clock = 1_000_000;
  const runner = createProjectionRunner({ projection: lastReadProjection, topic: 't', logger: silentLogger(), counters, now: () => clock });
  return { runner, counted, advance: (ms: number) => (clock += ms) };
}

const offset = 0;
const record = (partition: number, value: unknown, at = offset): LogRecord => ({
  partition,
  offset: String(at),
  value: typeof value === 'string' ? value : JSON.stringify(value),
  timestamp: String(Date.parse('2026-11-22T10:00:00Z') + at * 1000),
});
const read = (id: string) => ({ name: 'book-read', payload: { id } });

describe('projection runner', () => {
  describe('a position beyond the end of the log', () => {
    const started = (ends: { partition: number; low: number; high: number }[], fetchEnds?: () => Promise<typeof ends>) => {
      const runner = createProjectionRunner({
        projection: lastReadProjection,
        topic: 't',
        logger: silentLogger(),
        counters: { applied() {}, rejected() {}, ignored() {}, duplicate() {} },
        ...(fetchEnds && { fetchEnds }),
      });
      runner.setStartEnds(ends);
      return runner;
    };

    it('is named once Kafka, asked again, still ends before it; a partition the topic lacks too', async () => {
      let asked = 0;
      const runner = started([{ partition: 0, low: 0, high: 1 }], () => (asked++, Promise.resolve([{ partition: 0, low: 0, high: 1 }])));
      runner.applyBatch(0, [record(0, read('a'), 0)], '1');
      expect(await runner.beyondLog(parsePosition('0:0'))).toBeNull();
      expect(asked).toBe(0);
      expect(await runner.beyondLog(parsePosition('0:1'))).toMatch(/partition 0 ends before offset 1/);
      expect(await runner.beyondLog(parsePosition('3:0'))).toMatch(/partition 3 is not in topic t/);
      // Each is looked at four times, over about a tenth of a second, before it is named.
      expect(asked).toBe(8);
    });

    it('is not an offset whose transaction markers Kafka writes a moment after the commit was acknowledged', async () => {
      const ends = [1, 1, 2];
      const runner = started([{ partition: 0, low: 0, high: 1 }], () =>
        Promise.resolve([{ partition: 0, low: 0, high: ends.shift() ?? 2 }]),
      );
      expect(await runner.beyondLog(parsePosition('0:1'))).toBeNull();
      expect(ends).toEqual([]);
    });

    it('is not an offset the consumer applies within the pauses, and says so at once, without asking Kafka', async () => {
      let asked = 0;
      const runner = started([{ partition: 0, low: 0, high: 1 }], () => (asked++, Promise.resolve([{ partition: 0, low: 0, high: 1 }])));
      runner.applyBatch(0, [record(0, read('a'), 0)], '1');
      const answer = runner.beyondLog(parsePosition('0:1'));
      await new Promise((resolve) => setTimeout(resolve, 2));
      runner.applyBatch(0, [record(0, read('b'), 1)], '2');
      expect(await answer).toBeNull();
      // Applied within the first pause: Kafka was not asked at all, where it was asked four times before.
      expect(asked).toBe(0);
    });

    it('is not an offset Kafka acknowledged since it last reported the end', async () => {
      const runner = started([{ partition: 0, low: 0, high: 0 }], () => Promise.resolve([{ partition: 0, low: 0, high: 6 }]));
      expect(await runner.beyondLog(parsePosition('0:5'))).toBeNull();
      expect(await runner.beyondLog(parsePosition('0:6'))).toMatch(/ends before offset 6/);
    });

    it('is not called so while Kafka cannot be asked, nor before the ends are known', async () => {
      const down = started([{ partition: 0, low: 0, high: 0 }], () => Promise.reject(new Error('no broker')));
      expect(await down.beyondLog(parsePosition('0:5'))).toBeNull();
      const fresh = createProjectionRunner({
        projection: lastReadProjection,
        topic: 't',
        logger: silentLogger(),
        counters: { applied() {}, rejected() {}, ignored() {}, duplicate() {} },
      });
      expect(await fresh.beyondLog(parsePosition('0:5'))).toBeNull();
    });
  });

  describe('applying the log', () => {
    it('applies valid events, counts and lists rejects, ignores unknown names', () => {
      const { runner, counted } = setup();
      runner.applyBatch(0, [
        record(0, read('a'), 0),
        record(0, 'not json', 1),
        record(0, { name: 'book-borrowed' }, 2),
        record(0, read('b'), 3),
      ]);
      expect(lastReadBooks(runner.view(), 5).map((b) => b.id)).toEqual(['b', 'a']);
      expect(counted).toMatchObject({ applied: 2, rejected: ['not_json'], ignored: 1 });
      expect(runner.rejected()).toEqual([expect.objectContaining({ partition: 0, offset: '1', reason: 'not_json', value: 'not json' })]);
    });

    it('applies an event id once, even when pushed twice', () => {
      const { runner, counted } = setup();
      const event = { id: 'e-1', name: 'book-read', payload: { id: 'a' } };
      runner.applyBatch(0, [record(0, event, 0)]);
      runner.applyBatch(1, [record(1, event, 0)]);
      expect(counted).toMatchObject({ applied: 1, duplicates: 1 });
    });

    it('skips offsets it has already passed, as after a rejoin', () => {
      const { runner, counted } = setup();
      runner.applyBatch(0, [record(0, read('a'), 0), record(0, read('b'), 1)]);
      runner.applyBatch(0, [record(0, read('a'), 0), record(0, read('b'), 1), record(0, read('c'), 2)]);
      expect(counted.applied).toBe(3);
    });

    it('keeps only the last 100 rejects', () => {
      const { runner } = setup();
      runner.applyBatch(
        0,
        Array.from({ length: 150 }, (_, i) => record(0, '{', i)),
      );
      expect(runner.rejected()).toHaveLength(100);
      expect(runner.rejected()[0]?.offset).toBe('149');
    });
  });

  describe('health', () => {
    it('fails until Kafka answers', () => {
      const { runner } = setup();
      expect(runner.health().status).toBe('fail');
    });

    it('warns while catching up to the end offsets seen at start, then passes', () => {
      const { runner } = setup();
      runner.liveness.setState('running');
      runner.setStartEnds([
        { partition: 0, low: 0, high: 2 },
        { partition: 1, low: 0, high: 0 },
      ]);
      expect(runner.health()).toMatchObject({ status: 'warn', lag: 2, partitions: { 0: { applied: null, end: 2, lag: 2 } } });
      runner.applyBatch(0, [record(0, read('a'), 0), record(0, read('b'), 1)], '2');
      expect(runner.health()).toMatchObject({ status: 'pass', lag: 0, caughtUp: true, partitions: { 0: { applied: 1, end: 2, lag: 0 } } });
    });

    it('tells once it has caught up, with how many events it applied to get there', () => {
      const told: number[] = [];
      const runner = createProjectionRunner({
        projection: lastReadProjection,
        topic: 't',
        logger: silentLogger(),
        counters: { applied() {}, rejected() {}, ignored() {}, duplicate() {} },
        onCaughtUp: (applied) => told.push(applied),
      });
      runner.setStartEnds([{ partition: 0, low: 0, high: 2 }]);
      runner.applyBatch(0, [record(0, read('a'), 0)], '2');
      expect(told).toEqual([]);
      runner.applyBatch(0, [record(0, read('b'), 1)], '2');
      runner.applyBatch(0, [record(0, read('c'), 2)], '3');
      expect(told).toEqual([2]);
    });

    it('fails when Kafka has not answered a fetch for a while', () => {
      const { runner, advance } = setup();
      runner.liveness.setState('running');
      runner.setStartEnds([]);
      expect(runner.health().status).toBe('pass');
      advance(20_000);
      expect(runner.health()).toMatchObject({ status: 'fail', kafka: 'down' });
      runner.liveness.markFetched();
      expect(runner.health().status).toBe('pass');
    });
  });

  describe('read your writes', () => {
    it('answers at once for a position already applied, and waits for one to come', async () => {
      const { runner } = setup();
      runner.applyBatch(0, [record(0, read('a'), 0)]);
      await expect(runner.waitFor(parsePosition('0:0'), 0)).resolves.toBe(true);
      const waiting = runner.waitFor(parsePosition('0:1'), 5000);
      runner.applyBatch(0, [record(0, read('b'), 1)]);
      await expect(waiting).resolves.toBe(true);
    });

    it('names the position it has applied, per partition, once something was', () => {
      const { runner } = setup();
      expect(runner.appliedPosition()).toBe('');
      runner.applyBatch(2, [record(2, read('a'), 4), record(2, read('b'), 5)]);
      runner.applyBatch(0, [record(0, read('c'), 0)]);
      expect(runner.appliedPosition()).toBe('0:0,2:5');
      runner.passOffsets(0, 3);
      expect(runner.appliedPosition()).toBe('0:2,2:5');
    });

    it('gives up after the wait', async () => {
      const { runner } = setup();
      await expect(runner.waitFor(parsePosition('3:10'), 20)).resolves.toBe(false);
    });
  });
});
