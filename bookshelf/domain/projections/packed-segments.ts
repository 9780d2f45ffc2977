/**
 * Snapshot chunks written again as they were read: a restored SegmentMap remembers which run of its packed entries
 * each chunk held, and a run that did not change since is written as that chunk's columns, with no value built per
 * entry. Every other entry (packed ones packed since the restore included) is written one by one, packed ones built
 * for that pass only and not kept.
 */
import { CHUNK } from './snapshot-chunks.js';
import type { PackedEntries, SegmentMap } from './segment-map.js';

/** Packed entries `first` to `first + length - 1`, as one snapshot chunk held them, and what writes them again. */
export interface PackedSegment<W> {
  first: number;
  length: number;
  again: W;
}

const segmentsOf = new WeakMap<object, { entries: object; segments: readonly PackedSegment<unknown>[] }>();

/** Puts `entries` in front of the empty `map`, remembering the chunks they came in. */
export function restoreSegments<V, W>(map: SegmentMap<V>, entries: PackedEntries<V>, segments: readonly PackedSegment<W>[]): void {
  map.restorePacked(entries);
  segmentsOf.set(map, { entries, segments });
}

export type SnapshotRun<V, W> = { again: W; first: number; length: number } | { entries: [string, V][] };

/**
 * The map's live entries in their order, as runs to write: a restored segment that `reuse` accepts as unchanged,
 * else up to CHUNK entries at a time.
 */
export function* snapshotRuns<V, W>(map: SegmentMap<V>, reuse: (segment: PackedSegment<W>) => boolean): Generator<SnapshotRun<V, W>> {
  let batch: [string, V][] = [];
  const packed = map.packedEntries;
  if (packed !== undefined) {
    const known = segmentsOf.get(map);
    // Restored some other way: every packed entry is written one by one.
    const segments: PackedSegment<W | undefined>[] = known?.entries === packed ? [...(known.segments as readonly PackedSegment<W>[])] : [];
    // Entries packed behind the restored ones since (a replay packs as it goes): written one by one too.
    const covered = segments.reduce((end, segment) => Math.max(end, segment.first + segment.length), 0);
    if (packed.size > covered) segments.push({ first: covered, length: packed.size - covered, again: undefined });
    for (const segment of segments) {
      if (segment.again !== undefined && reuse(segment as PackedSegment<W>)) {
        if (batch.length > 0) yield { entries: batch };
        batch = [];
        yield segment as PackedSegment<W>;
        continue;
      }
      for (let index = segment.first; index < segment.first + segment.length; index++) {
        const value = map.peekPacked(index);
        if (value === undefined) continue;
        batch.push([packed.keyAt(index), value]);
        if (batch.length === CHUNK) {
          yield { entries: batch };
          batch = [];
        }
      }
    }
  }
  for (const entry of map.added()) {
    batch.push(entry);
    if (batch.length === CHUNK) {
      yield { entries: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { entries: batch };
}
