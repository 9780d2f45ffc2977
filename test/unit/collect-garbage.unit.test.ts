import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../bookshelf/adapters/runtime/collect-garbage.js';

describe('collectGarbage', () => {
  it('collects what nothing refers to any more, without a node flag', async () => {
    // A WeakRef keeps its target alive until the end of the turn that made it or last dereferenced it.
    const ref = (() => new WeakRef({ garbage: new Array(1000).fill('x') }))();
    await nextTurn();
    expect(ref.deref()).toBeDefined();
    await nextTurn();
    expect(typeof collectGarbage()).toBe('number');
    expect(ref.deref()).toBeUndefined();
  });
});
