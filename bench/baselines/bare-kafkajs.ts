/**
 * A reference for P1: kafkajs alone reading the whole topic with the views' fetch settings, each value
 * turned into text and nothing else (with `parse`: and parsed as JSON, the least a view does with an event);
 * exits once it has read up to the end offsets seen at start.
 *   node dist-bench/bench/baselines/bare-kafkajs.js <broker> <topic> [parse]
 */
import { Kafka, logLevel } from 'kafkajs';

const [broker, topic, mode] = process.argv.slice(2) as [string, string, string | undefined];
const parse = mode === 'parse';
const kafka = new Kafka({ clientId: 'bookshelf-bench-bare', brokers: [broker], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
await admin.disconnect();
const consumer = kafka.consumer({
  groupId: `bench-bare-${process.pid}-${Date.now()}`,
  maxBytesPerPartition: 512 * 1024,
  maxBytes: 3 * 512 * 1024,
});
const next = new Map<number, number>();
let done!: () => void;
const finished = new Promise<void>((resolve) => (done = resolve));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  partitionsConsumedConcurrently: 4,
  eachBatch: ({ batch }) => {
    let chars = 0;
    let parsed = 0;
    for (const message of batch.messages) {
      const text = message.value?.toString('utf8') ?? '';
      chars += text.length;
      if (parse && text !== '' && JSON.parse(text) !== null) parsed++;
    }
    if (chars < 0 || parsed < 0) throw new Error('unreachable');
    next.set(batch.partition, Number(batch.lastOffset()) + 1);
    if ([...ends].every(([partition, end]) => (next.get(partition) ?? 0) >= end)) done();
    return Promise.resolve();
  },
});
await finished;
await consumer.disconnect();
