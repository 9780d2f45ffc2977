/**
 * A batch of records as the fetch worker hands it to the main thread: one buffer, moved rather than copied,
 * holding each record's offset, timestamp and where its value ends, then the values' bytes end to end.
 */
import type { LogRecord } from '../../app/ports.js';

export interface PackedBatch {
  partition: number;
  count: number;
  highWatermark: string;
  buffer: ArrayBuffer;
}

/** What the worker reads of a kafkajs message: nothing else of it is touched. */
export interface PackableMessage {
  offset: string;
  timestamp: string;
  value: Buffer | null;
}

/** Bytes before the values: offset and timestamp (8 each), value end (4), and a null flag (1) per record. */
const headerBytes = (count: number): number => count * 21;

export function packBatch(partition: number, messages: readonly PackableMessage[], highWatermark: string): PackedBatch {
  const count = messages.length;
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += messages[i]!.value?.length ?? 0;
  const buffer = new ArrayBuffer(headerBytes(count) + bytes);
  const offsets = new Float64Array(buffer, 0, count);
  const timestamps = new Float64Array(buffer, count * 8, count);
  const ends = new Int32Array(buffer, count * 16, count);
  const nulls = new Uint8Array(buffer, count * 20, count);
  const data = new Uint8Array(buffer, headerBytes(count));
  let at = 0;
  for (let i = 0; i < count; i++) {
    const { offset, timestamp, value } = messages[i]!;
    offsets[i] = Number(offset);
    timestamps[i] = Number(timestamp);
    if (value === null) nulls[i] = 1;
    else {
      data.set(value, at);
      at += value.length;
    }
    ends[i] = at;
  }
  return { partition, count, highWatermark, buffer };
}

/** Reads a packed batch back, a slice of records at a time. */
export function unpackBatch({ partition, count, buffer }: PackedBatch) {
  const offsets = new Float64Array(buffer, 0, count);
  const timestamps = new Float64Array(buffer, count * 8, count);
  const ends = new Int32Array(buffer, count * 16, count);
  const nulls = new Uint8Array(buffer, count * 20, count);
  const data = Buffer.from(buffer, headerBytes(count));
  return {
    count,
    /** Records `from` to `to` (exclusive), as the sink takes them. */
    records(from: number, to: number): LogRecord[] {
      const records = new Array<LogRecord>(to - from);
      for (let i = from; i < to; i++) {
        const start = i === 0 ? 0 : ends[i - 1]!;
        records[i - from] = {
          partition,
          offset: String(offsets[i]),
          value: nulls[i] === 1 ? null : data.toString('utf8', start, ends[i]),
          timestamp: String(timestamps[i]),
        };
      }
      return records;
    },
  };
}
