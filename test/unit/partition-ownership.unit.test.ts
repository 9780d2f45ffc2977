import { describe, expect, it } from 'vitest';
import { createPartitionOwnership, type WriterPort } from '../../bookshelf/app/partition-ownership.js';
import { silentLogger } from '../support/silent-logger.js';
import { waitFor } from '../support/wait-for.js';

/** Writers and a log follower of our own: what was opened, and a switch for "read to the end". */
function harness({ retakeAfterMs = 50 } = {}) {
  const opened: number[] = [];
  const failures = new Map<number, (kind: 'fenced' | 'broken', error: Error) => void>();
  const written: { partition: number; keys: string[] }[] = [];
  const readTo = new Set<number>();
  const ownership = createPartitionOwnership({
    logger: silentLogger(),
    retryMs: 10,
    retakeAfterMs,
    createWriter(partition, onFailure): WriterPort {
      failures.set(partition, onFailure);
      return {
        open: async () => void opened.push(partition),
        append: async (messages) => {
          written.push({ partition, keys: messages.map((m) => m.key) });
          return messages.map((_, i) => ({ partition, offset: i }));
        },
        close: async () => undefined,
      };
    },
    endOffset: async () => 10,
    readUpTo: async (partition) => readTo.has(partition),
  });
  return { ownership, opened, failures, written, readTo };
}

const message = [{ key: 'b1', value: '{}' }];

describe('partition ownership', () => {
  describe('when a partition is assigned', () => {
    it('opens its writer (fencing the previous owner), then refuses commands until the partition is read to its end', async () => {
      const { ownership, opened, readTo } = harness();
      ownership.assign([0, 2], 3);
      await waitFor(() => opened.length === 2);
      expect(ownership.stateOf(0)).toBe('catching_up');
      await expect(ownership.append(0, message)).rejects.toMatchObject({ code: 'catching_up' });
      expect(ownership.started()).toBe(false);
      readTo.add(0).add(2);
      await waitFor(() => ownership.stateOf(0) === 'owned' && ownership.stateOf(2) === 'owned', { timeout: 3000 });
      expect(ownership.owned()).toEqual([0, 2]);
      expect(ownership.started()).toBe(true);
      await expect(ownership.append(0, message)).resolves.toEqual([{ partition: 0, offset: 0 }]);
    });

    it('refuses commands for a partition it was not given', async () => {
      const { ownership } = harness();
      ownership.assign([0], 3);
      await expect(ownership.append(1, message)).rejects.toMatchObject({ code: 'rebalancing' });
    });
  });

  describe('when the assignment ends', () => {
    it('takes no command from that moment', async () => {
      const { ownership, readTo } = harness();
      readTo.add(0);
      ownership.assign([0], 1);
      await waitFor(() => ownership.stateOf(0) === 'owned');
      ownership.revokeAll();
      expect(ownership.owned()).toEqual([]);
      await expect(ownership.append(0, message)).rejects.toMatchObject({ code: 'rebalancing' });
    });
  });

  describe('when its writer is fenced', () => {
    it('lets the partition go at once, and takes it again only if the group still assigns it afterwards', async () => {
      const { ownership, readTo, failures, opened } = harness();
      readTo.add(0).add(1);
      ownership.assign([0, 1], 2);
      await waitFor(() => ownership.owned().length === 2);
      failures.get(0)!('fenced', new Error('newer epoch'));
      expect(ownership.owned()).toEqual([1]);
      await expect(ownership.append(0, message)).rejects.toMatchObject({ code: 'rebalancing' });
      await waitFor(() => ownership.owned().length === 2, { timeout: 3000, what: 'partition 0 taken again' });
      expect(opened.filter((p) => p === 0)).toHaveLength(2);
    });

    it('does not take it again when a new assignment came meanwhile', async () => {
      const { ownership, readTo, failures, opened } = harness({ retakeAfterMs: 100 });
      readTo.add(0).add(1);
      ownership.assign([0, 1], 2);
      await waitFor(() => ownership.owned().length === 2);
      failures.get(0)!('fenced', new Error('newer epoch'));
      ownership.revokeAll();
      ownership.assign([1], 2);
      await waitFor(() => ownership.owned().length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(ownership.owned()).toEqual([1]);
      expect(opened.filter((p) => p === 0)).toHaveLength(1);
    });
  });
});
