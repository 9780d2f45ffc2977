/**
 * A position in the log: for each partition, an offset. Written as `<partition>:<offset>` pairs
 * joined by commas (`"0:17,2:1041"`), the read-your-writes token.
 */
import type { PartitionEnds } from './ports.js';

export type LogPosition = ReadonlyMap<number, number>;

export class InvalidPositionError extends Error {
  readonly code = 'invalid_position';
}

/** The whole grammar of a token, as the API description states it: offsets of at most 15 digits are always safe integers. */
export const POSITION_PATTERN = '^[0-9]{1,6}:[0-9]{1,15}(,[0-9]{1,6}:[0-9]{1,15})*$';
const TOKEN = new RegExp(POSITION_PATTERN);

export function parsePosition(token: string): LogPosition {
  if (!TOKEN.test(token))
    throw new InvalidPositionError(`position "${token.slice(0, 100)}" is not <partition>:<offset>[,…] (offsets of at most 15 digits)`);
  const position = new Map<number, number>();
  for (const part of token.split(',')) {
    const [partition, offset] = part.split(':').map(Number) as [number, number];
    position.set(partition, Math.max(offset, position.get(partition) ?? 0));
  }
  return position;
}

export function formatPosition(position: LogPosition): string {
  return [...position.entries()]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `${partition}:${offset}`)
    .join(',');
}

/** True when every offset named by `wanted` has been processed, given the next offset to read per partition. */
export function hasReached(next: ReadonlyMap<number, number>, wanted: LogPosition): boolean {
  for (const [partition, offset] of wanted) {
    if ((next.get(partition) ?? 0) <= offset) return false;
  }
  return true;
}

/** Offsets from where reading would start (`from`; a partition not in it starts at its low end) to each end: the records still to read, markers included. */
export function offsetsBehind(from: ReadonlyMap<number, number>, ends: readonly PartitionEnds[]): number {
  let behind = 0;
  for (const { partition, low, high } of ends) behind += Math.max(0, high - Math.max(low, from.get(partition) ?? low));
  return behind;
}
