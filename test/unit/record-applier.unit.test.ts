import { describe, expect, it } from 'vitest';
import { createRecordApplier } from '../../bookshelf/app/record-applier.js';
import { createEventIdSet } from '../../bookshelf/app/event-id-set.js';
import type { EventCounters, LogRecord } from '../../bookshelf/app/ports.js';
import { lastReadBooks, lastReadProjection } from '../../bookshelf/domain/projections/last-read.projection.js';
import { bookRead } from '../support/events.js';
import { silentLogger } from '../support/silent-logger.js';

function setup() {
  const counted = { applied: 0, rejected: [] as string[], ignored: [] as string[], duplicates: 0 };
  const counters: EventCounters = {
    applied: (n) => (counted.applied += n),
    rejected: (reason) => counted.rejected.push(reason),
    ignored: (name) => counted.ignored.push(name),
    duplicate: () => counted.duplicates++,
  };
  const told: string[] = [];
  const applier = createRecordApplier({
    projection: lastReadProjection,
    topic: 't',
    logger: silentLogger(),
    counters,
    now: () => Date.parse('2026-12-01T10:00:00Z'),
    onApplied: (event, partition, offset) => told.push(`${event.type}@${partition}:${offset}`),
  });
  return { applier, counted, told };
}

const record = (offset: number, value: unknown): LogRecord => ({
  partition: 0,
  offset: String(offset),
  value: typeof value === 'string' ? value : JSON.stringify(value),
  timestamp: String(Date.parse('2026-11-22T10:00:00Z') + offset * 1000),
});
const read = (book: string, id = `e-${book}`) => ({ id, name: 'book-read', payload: { id: book } });
const shown = (view: ReturnType<typeof lastReadProjection.initialState>) => lastReadBooks(view, 10).map((entry) => entry.id);

describe('applying records', () => {
  it('evolves the view by each event from the given offset on, and says where to go on', () => {
    const { applier, counted, told } = setup();
    expect(applier.applyFrom([record(0, read('a')), record(1, read('b')), record(2, read('c'))], 1)).toBe(3);
    expect(shown(applier.view())).toEqual(['c', 'b']);
    expect(told).toEqual(['book-read@0:1', 'book-read@0:2']);
    expect([counted.applied, applier.version()]).toEqual([2, 1]);
  });

  it('applies an event id once, and counts the second as a duplicate', () => {
    const { applier, counted } = setup();
    applier.applyFrom([record(0, read('a')), record(1, read('a'))], -1);
    expect(counted).toMatchObject({ applied: 1, duplicates: 1 });
    expect(applier.totals()).toEqual({ applied: 1, rejected: 0, ignored: 0, duplicates: 1 });
  });

  it('counts and keeps what it rejects, counts what it ignores, and leaves the version alone', () => {
    const { applier, counted } = setup();
    applier.applyFrom([record(0, 'not json'), record(1, { name: 'book-borrowed' })], -1);
    expect(counted).toMatchObject({ applied: 0, rejected: ['not_json'], ignored: ['book-borrowed'] });
    expect(applier.rejected()).toEqual([
      { partition: 0, offset: '0', reason: 'not_json', detail: expect.any(String), value: 'not json', at: '2026-12-01T10:00:00.000Z' },
    ]);
    expect(applier.version()).toBe(0);
  });

  describe('when this process wrote the events itself', () => {
    it('applies them before they are read back, untold and once, and skips them when they are', () => {
      const { applier, counted, told } = setup();
      applier.applyOwn([bookRead('a', { eventId: 'e-a' }), bookRead('a', { eventId: 'e-a' })]);
      expect([shown(applier.view()), applier.hasApplied('e-a'), applier.version(), counted.applied]).toEqual([['a'], true, 1, 1]);
      applier.applyFrom([record(0, read('a')), record(1, read('b'))], -1);
      expect(told).toEqual(['book-read@0:1']);
      expect(counted).toMatchObject({ applied: 2, duplicates: 1 });
    });
  });

  describe('after a restore and a reset', () => {
    it('holds the snapshot’s state, then nothing, each time with a new version', () => {
      const { applier } = setup();
      const before = setup().applier;
      before.applyFrom([record(0, read('a'))], -1);
      const ids = createEventIdSet();
      ids.add('e-a');
      applier.restore({ view: before.view(), ids });
      expect([shown(applier.view()), applier.hasApplied('e-a'), applier.version()]).toEqual([['a'], true, 1]);
      applier.applyFrom([record(1, 'x')], -1);
      applier.reset();
      expect([shown(applier.view()), applier.hasApplied('e-a'), applier.version()]).toEqual([[], false, 2]);
      expect(applier.totals().rejected).toBe(0);
      expect(applier.rejected()).toHaveLength(1);
    });
  });
});
