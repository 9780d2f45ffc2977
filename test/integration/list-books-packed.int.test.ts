/**
 * list-books holding more books than it keeps as objects (it packs the rows it has replayed): a restart from its
 * snapshot and a full replay of the same log, with lines about packed books after the snapshot, answer alike.
 */
import { describe, expect, it } from 'vitest';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { PACK_EVERY, type ListBooksView } from '../../bookshelf/domain/projections/list-books.projection.js';
import { startTestView, tempStateDir } from '../support/in-process.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { fuzzSeed, seededRandom } from '../support/fuzz-random.js';
import { topicFuzz } from '../support/fuzz/topic-fuzz.js';
import { newTopic } from '../support/infra.js';
import { canonical, caughtUpTo, produceLines, topicEnds } from '../support/snapshot-log.js';

const cleanup = cleanupAfterAll();

/** The rows a list answers, by id: two views of three partitions hear of the books in different orders. */
const rowsById = async (url: string): Promise<unknown> =>
  ((await (await fetch(url)).json()) as { id: string }[]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe('list-books with more books than it keeps as objects', () => {
  it('answers alike restarted from its snapshot and replaying the whole log', async () => {
    const seed = fuzzSeed();
    const random = seededRandom(seed);
    const topic = await newTopic('packed-list');
    const dir = tempStateDir();
    const { lines, expected } = topicFuzz(random, { count: 24_000, books: 5_500, lastReadSize: 1000 });
    await produceLines(topic, lines.slice(0, 16_000));
    const list = await startTestView(listBooksView, { topic, 'state-dir': dir });
    await caughtUpTo(list.url, await topicEnds(topic));
    await list.stop();

    await produceLines(topic, lines.slice(16_000));
    const ends = await topicEnds(topic);
    const restarted = await startTestView(listBooksView, { topic, 'state-dir': dir });
    const full = await startTestView(listBooksView, { topic, snapshots: false });
    cleanup.push(() => Promise.all([restarted.stop(), full.stop()]));
    const [report] = await Promise.all([restarted, full].map((service) => caughtUpTo(service.url, ends)));

    expect(report!.restored).toMatchObject({ from: 'snapshot', origin: 'local' });
    const { books } = full.view() as ListBooksView;
    expect(books.size, `seed ${seed}`).toBeGreaterThan(PACK_EVERY);
    expect(books.unpackedSize).toBeLessThan(PACK_EVERY);
    expect(canonical(restarted.view()), `seed ${seed}`).toEqual(canonical(full.view()));
    // What the log says each book is, worked out apart from the view.
    expect(await rowsById(`${full.url}/`), `seed ${seed}`).toEqual(expected.books);
    for (const path of ['/', '/?status=read', '/?status=reading'])
      expect(await rowsById(`${restarted.url}${path}`), `${path} seed ${seed}`).toEqual(await rowsById(`${full.url}${path}`));
  }, 120_000);
});
