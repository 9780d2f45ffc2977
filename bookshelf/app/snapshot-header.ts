/** Whether a snapshot's header fits this projection and the topic as Kafka has it now. */
import type { ProjectionCodec } from '../domain/projection.js';
import type { PartitionEnds } from './ports.js';
import { SNAPSHOT_FORMAT_VERSION, SnapshotRejected, type SnapshotHeader } from './snapshot-store.port.js';

const isOffset = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** What can be told from the header alone: format, projection and topic. */
export function checkHeader(header: SnapshotHeader, { codec, topic }: { codec: ProjectionCodec<unknown>; topic: string }): SnapshotHeader {
  if (header.formatVersion !== SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotRejected('format', `format version ${String(header.formatVersion)}, not ${SNAPSHOT_FORMAT_VERSION}`);
  if (header.projection !== codec.name || header.projectionVersion !== codec.version) {
    throw new SnapshotRejected(
      'projection',
      `projection ${String(header.projection)} v${String(header.projectionVersion)}, not ${codec.name} v${codec.version}`,
    );
  }
  if (header.topic !== topic) throw new SnapshotRejected('topic', `topic ${JSON.stringify(header.topic)}, not ${JSON.stringify(topic)}`);
  return header;
}

/** Whether the topic as Kafka has it now still holds what the snapshot read: same partitions, offsets in range. */
export function checkOffsets(header: SnapshotHeader, ends: readonly PartitionEnds[]): SnapshotHeader {
  if (header.partitions !== ends.length)
    throw new SnapshotRejected('partitions', `${String(header.partitions)} partitions, the topic has ${ends.length}`);
  if (typeof header.next !== 'object' || header.next === null || typeof header.last !== 'object' || header.last === null)
    throw new SnapshotRejected('corrupt', 'no offsets');
  const byPartition = new Map(ends.map((end) => [end.partition, end]));
  for (const [partition, offset] of Object.entries(header.next)) {
    const end = byPartition.get(Number(partition));
    if (end === undefined || !isOffset(offset)) throw new SnapshotRejected('offsets', `partition ${partition} is not in the topic`);
    if (offset < end.low || offset > end.high) {
      throw new SnapshotRejected(
        'offsets',
        `partition ${partition}: offset ${offset} is outside what Kafka holds (${end.low} to ${end.high})`,
      );
    }
  }
  for (const [partition, record] of Object.entries(header.last)) {
    if (!byPartition.has(Number(partition)) || !isOffset(record?.offset) || typeof record.fingerprint !== 'string')
      throw new SnapshotRejected('corrupt', `bad last record for partition ${partition}`);
  }
  return header;
}
