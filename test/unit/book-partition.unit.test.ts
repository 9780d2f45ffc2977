import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionOf } from '../../bookshelf/app/book-partition.js';

const kafkajsPartition = (key: string, count: number): number =>
  Partitioners.DefaultPartitioner()({
    topic: 't',
    partitionMetadata: Array.from({ length: count }, (_, i) => ({
      partitionId: i,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    })),
    message: { key, value: null },
  });

describe('the partition of a book', () => {
  it('is the Java client murmur2 of the id (known values)', () => {
    // Values of org.apache.kafka.common.utils.Utils.murmur2, from the Java client's own tests.
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
  });

  it('is the partition kafkajs’s default partitioner picks, for any id and partition count', () => {
    const ids = ['b-42', 'é-ü-ß', '', 'x', ...Array.from({ length: 500 }, () => randomUUID())];
    for (const id of ids) for (const count of [1, 3, 6, 7, 64]) expect(partitionOf(id, count)).toBe(kafkajsPartition(id, count));
  });
});
