/**
 * The checksum of a snapshot's lines: CRC-32 (zlib's). It finds a file cut short, scrambled or garbled in transfer
 * (any change of up to 32 bits in a row; a random one slips through once in four billion) at half the cost of a
 * sha256 over 100 MB. It guards against accidents, not against someone able to write the state dir or answer as a peer.
 */
import { crc32 } from 'node:zlib';

export interface SnapshotChecksum {
  update(bytes: Uint8Array | string): SnapshotChecksum;
  /** Eight hex digits. */
  digest(): string;
}

export function createSnapshotChecksum(): SnapshotChecksum {
  let value = 0;
  const checksum: SnapshotChecksum = {
    update(bytes) {
      value = crc32(bytes, value);
      return checksum;
    },
    digest: () => value.toString(16).padStart(8, '0'),
  };
  return checksum;
}
