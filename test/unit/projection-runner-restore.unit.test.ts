import { describe, expect, it } from 'vitest';
import { createProjectionRunner } from '../../bookshelf/app/projection-runner.js';
import { createEventIdSet } from '../../bookshelf/app/event-id-set.js';
import type { EventCounters, LogRecord } from '../../bookshelf/app/ports.js';
import { fingerprint } from '../../bookshelf/app/snapshots.js';
import { lastReadBooks, lastReadProjection, type LastReadView } from '../../bookshelf/domain/projections/last-read.projection.js';
import { silentLogger } from '../support/silent-logger.js';

const counters: EventCounters = {
  applied: () => undefined,
  rejected: () => undefined,
  ignored: () => undefined,
  duplicate: () => undefined,
};
const record = (offset: number, id: string, stamp = offset): LogRecord => ({
  partition: 0,
  offset: String(offset),
  value: JSON.stringify({ id: `e-${id}`, name: 'book-read', payload: { id } }),
  timestamp: String(Date.parse('2026-11-22T10:00:00Z') + stamp * 1000),
});

/** A runner given what a snapshot of partition 0 up to offset 4 (its last record `last`) would restore. */
function restored(last: LogRecord) {
  const runner = createProjectionRunner({ projection: lastReadProjection, topic: 't', logger: silentLogger(), counters });
  const mismatches: number[] = [];
  const before = createProjectionRunner({ projection: lastReadProjection, topic: 't', logger: silentLogger(), counters });
  before.applyBatch(0, [record(3, 'a'), record(4, 'b')]);
  const ids = createEventIdSet();
  for (const id of ['e-a', 'e-b']) ids.add(id);
  runner.restore({
    view: before.view(),
    ids,
    next: new Map([[0, 5]]),
    source: { from: 'snapshot', origin: 'local' },
    verify: {
      records: new Map([[0, { offset: 4, fingerprint: fingerprint(last) }]]),
      fingerprint,
      onMismatch: (partition) => mismatches.push(partition),
    },
  });
  runner.liveness.setState('running');
  runner.setStartEnds([{ partition: 0, low: 0, high: 7 }]);
  return { runner, mismatches };
}

const shown = (runner: { view(): LastReadView }) => lastReadBooks(runner.view(), 10).map((entry) => entry.id);

describe('a runner restored from a snapshot', () => {
  it('reads from the last record the snapshot read, compares it, and goes on from the next offset', () => {
    const { runner, mismatches } = restored(record(4, 'b'));
    expect(runner.readFrom().get(0)).toBe(4);
    expect(runner.health()).toMatchObject({ status: 'warn', restored: { from: 'snapshot', replayed: 0 } });
    runner.applyBatch(0, [record(4, 'b'), record(5, 'c'), record(6, 'b', 9)], '7');
    expect(mismatches).toEqual([]);
    expect(shown(runner)).toEqual(['c', 'b', 'a']);
    expect(runner.health()).toMatchObject({ status: 'pass', restored: { replayed: 1 }, events: { duplicates: 1 } });
    expect(runner.readFrom().get(0)).toBe(7);
  });

  it('waits for the record when a batch ends before it', () => {
    const { runner, mismatches } = restored(record(4, 'b'));
    runner.applyBatch(0, [record(2, 'x'), record(3, 'a')]);
    expect(mismatches).toEqual([]);
    expect(runner.isCaughtUp()).toBe(false);
  });

  describe('when the topic holds another record there (made again)', () => {
    it('reports the mismatch, applies nothing of the batch and, once reset, starts from nothing', () => {
      const { runner, mismatches } = restored(record(4, 'b'));
      runner.applyBatch(0, [record(4, 'other', 100), record(5, 'c')], '7');
      expect(mismatches).toEqual([0]);
      expect(shown(runner)).toEqual(['b', 'a']);
      runner.reset();
      runner.applyBatch(0, [record(0, 'z')]);
      expect(shown(runner)).toEqual([]);
      runner.resume();
      runner.applyBatch(0, [record(0, 'z')]);
      expect(shown(runner)).toEqual(['z']);
      expect(runner.health()).toMatchObject({ restored: { from: 'log' } });
    });

    it('reports it too when the record is gone and the batch starts past it', () => {
      const { runner, mismatches } = restored(record(4, 'b'));
      runner.applyBatch(0, [record(5, 'c'), record(6, 'd')]);
      expect(mismatches).toEqual([0]);
    });
  });

  it('keeps the view still while a snapshot of it is written, and finishes the snapshot first when it must change', async () => {
    const { runner } = restored(record(4, 'b'));
    runner.applyBatch(0, [record(4, 'b')]);
    const order: string[] = [];
    runner.snapshotState(() => order.push('snapshot finished'));
    const waiting = runner.ready();
    expect(waiting).toBeInstanceOf(Promise);
    runner.applyOwn([]);
    expect(order).toEqual(['snapshot finished']);
    runner.releaseSnapshot();
    await waiting;
    expect(runner.ready()).toBeUndefined();
  });
});
