/** Other instances of the same service, which can hand over their snapshot. */
import type { Readable } from 'node:stream';

export interface SnapshotPeers {
  /** Base URLs of passing instances of this service, other than this one. */
  find(): Promise<string[]>;
  /** The snapshot of the instance at `url`, streamed; rejects when it cannot be had. */
  fetch(url: string): Promise<Readable>;
}
