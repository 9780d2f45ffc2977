/**
 * A position in the log: for each partition, an offset. Written as `<partition>:<offset>` pairs
 * joined by commas (`"0:17,2:1041"`), the read-your-writes token.
 */
export type LogPosition = ReadonlyMap<number, number>;

export class InvalidPositionError extends Error {
  readonly code = 'invalid_position';
}

const PAIR = /^(\d{1,6}):(\d{1,16})$/;

export function parsePosition(token: string): LogPosition {
  const position = new Map<number, number>();
  for (const part of token.split(',')) {
    const match = PAIR.exec(part.trim());
    if (!match) throw new InvalidPositionError(`position "${token}" is not <partition>:<offset>[,…]`);
    const partition = Number(match[1]);
    const offset = Number(match[2]);
    if (!Number.isSafeInteger(offset)) throw new InvalidPositionError(`offset in "${part}" is too large`);
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
