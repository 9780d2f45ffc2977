import { describe, expect, it } from 'vitest';
import { FencedError } from '../../bookshelf/adapters/kafka/partition-writer.js';
import { cleanupAfterAll } from '../support/cleanup.js';
import { createTopic, unique } from '../support/infra.js';
import { deleteTopic, readTopic } from '../support/owners.js';
import { partitionWriter } from '../support/partition-writers.js';

const cleanup = cleanupAfterAll();

async function writerOnNewTopic() {
  const topic = unique('batching');
  await createTopic(topic, 1);
  cleanup.push(() => deleteTopic(topic));
  return { topic, writer: writer(topic, `${topic}-0`) };
}

const writer = (topic: string, transactionalId: string) => partitionWriter(cleanup, topic, transactionalId);

const message = (n: number) => ({ key: `k${n}`, value: JSON.stringify({ id: `e${n}`, name: 'book-added', payload: { id: `k${n}` } }) });

describe('group commit of a partition writer (real Kafka)', () => {
  it('commands that come while a transaction is being sent join it: no commit marker between their events', async () => {
    const { topic, writer: partitionWriter } = await writerOnNewTopic();
    await partitionWriter.open();
    // The first starts a transaction at once; the next two come while it is sent.
    const [first, second, third] = await Promise.all([1, 2, 3].map((n) => partitionWriter.append([message(n)])));
    expect([first, second, third]).toEqual([[{ partition: 0, offset: 0 }], [{ partition: 0, offset: 1 }], [{ partition: 0, offset: 2 }]]);
    // A command after that commit is in a transaction of its own, after the first one's commit marker (offset 3).
    expect(await partitionWriter.append([message(4)])).toEqual([{ partition: 0, offset: 4 }]);
    expect((await readTopic(topic)).map((e) => e.value.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  it('when the transaction is fenced, the command it carries and those that wait are refused, and none lands', async () => {
    const { topic, writer: old } = await writerOnNewTopic();
    await old.open();
    await old.append([message(0)]);
    await writer(topic, `${topic}-0`).open();
    const answers = await Promise.all(
      [1, 2].map((n) =>
        old.append([message(n)]).then(
          () => 'ok',
          (error: Error) => error,
        ),
      ),
    );
    expect(answers[0]).toBeInstanceOf(FencedError);
    expect(answers[1]).toMatchObject({ code: 'rebalancing' });
    expect((await readTopic(topic)).map((e) => e.value.id)).toEqual(['e0']);
  });
});
