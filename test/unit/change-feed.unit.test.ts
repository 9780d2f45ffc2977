import { describe, expect, it } from 'vitest';
import { createChangeFeed, type Change } from '../../bookshelf/app/change-feed.js';
import { parsePosition } from '../../bookshelf/app/log-position.js';
import { formatMergedEventId, parseMergedEventId } from '../../bookshelf/app/merged-event-id.js';

const change = (partition: number, offset: number, book = `b-${partition}-${offset}`): Change => ({
  partition,
  offset,
  event: 'book-added',
  book,
  created: '2026-12-01T00:00:00.000Z',
});
const at = (changes: Change[]) => changes.map((c) => `${c.partition}:${c.offset}`);

function feedWith(changes: Change[], capacity = 10) {
  const feed = createChangeFeed({ capacity });
  for (const c of changes) feed.publish(c);
  return feed;
}

describe('the change feed of a view', () => {
  describe('when a client connects without a position', () => {
    it('hands it only what is applied from then on', () => {
      const feed = feedWith([change(0, 0), change(1, 0)]);
      const got: Change[] = [];
      const subscription = feed.subscribe(null, (c) => got.push(c));
      expect(subscription).toMatchObject({ missed: false, backlog: [] });
      feed.publish(change(0, 1));
      expect(at(got)).toEqual(['0:1']);
    });
  });

  describe('when a client resumes from a position the ring still covers', () => {
    it('replays exactly the changes that position lacks, then the live ones, each once', () => {
      const feed = feedWith([change(0, 0), change(1, 0), change(0, 1), change(2, 0), change(1, 1)]);
      const got: Change[] = [];
      const subscription = feed.subscribe(parsePosition('0:0,1:0'), (c) => got.push(c));
      expect(subscription.missed).toBe(false);
      expect(at(subscription.backlog)).toEqual(['0:1', '2:0', '1:1']);
      feed.publish(change(2, 1));
      expect(at(got)).toEqual(['2:1']);
    });

    it('skips live changes the client already has, when this view is behind the one that served it before', () => {
      const feed = feedWith([change(0, 0)]);
      const got: Change[] = [];
      const subscription = feed.subscribe(parsePosition('0:2'), (c) => got.push(c));
      expect(subscription.backlog).toEqual([]);
      feed.publish(change(0, 1));
      feed.publish(change(0, 2));
      feed.publish(change(0, 3));
      expect(at(got)).toEqual(['0:3']);
    });
  });

  describe('when the ring no longer holds what the client lacks', () => {
    it('says so, so that the client reloads, and goes on from now', () => {
      const feed = feedWith([change(0, 0), change(0, 1), change(0, 2), change(1, 0)], 3);
      const got: Change[] = [];
      const subscription = feed.subscribe(parsePosition('0:2'), (c) => got.push(c));
      expect(subscription.missed).toBe(false);
      const stale = feed.subscribe(new Map(), (c) => got.push(c));
      expect(stale).toMatchObject({ missed: true, backlog: [] });
      feed.publish(change(1, 1));
      expect(at(got)).toEqual(['1:1', '1:1']);
    });

    it('does not count as missed what fell out of the ring on partitions the client is past', () => {
      const feed = feedWith([change(0, 0), change(0, 1), change(1, 0), change(1, 1)], 2);
      expect(feed.subscribe(parsePosition('0:1'), () => {}).missed).toBe(false);
      expect(feed.subscribe(parsePosition('0:0'), () => {}).missed).toBe(true);
    });
  });

  it('stops handing changes to a client that left', () => {
    const feed = feedWith([]);
    const got: Change[] = [];
    feed.subscribe(null, (c) => got.push(c)).unsubscribe();
    feed.publish(change(0, 0));
    expect(got).toEqual([]);
    expect(feed.listeners()).toBe(0);
  });
});

describe('the event id of the merged stream', () => {
  it('carries each view’s own position token', () => {
    const id = formatMergedEventId({ booklist: '0:5,1:3', lastreadbooks: '' });
    expect(id).toBe('booklist=0:5,1:3;lastreadbooks=');
    expect(parseMergedEventId(id, ['booklist', 'lastreadbooks'])).toEqual({ booklist: '0:5,1:3', lastreadbooks: '' });
    expect(parseMergedEventId('', ['booklist'])).toEqual({});
  });

  it.each(['nonsense', 'other=0:1', 'booklist=0:x', 'booklist'])('refuses %j', (text) => {
    expect(() => parseMergedEventId(text, ['booklist', 'lastreadbooks'])).toThrow();
  });
});
