/** Snapshot counters, on the process's registry. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { RejectReason } from '../../app/snapshot-store.port.js';

export function createSnapshotMetrics(registry: Registry) {
  const rejected = new Counter({
    name: 'bookshelf_snapshots_rejected_total',
    help: 'Snapshots not used, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const written = new Histogram({
    name: 'bookshelf_snapshot_write_seconds',
    help: 'Time to write a snapshot',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    rejected: (reason: RejectReason) => rejected.inc({ reason }),
    written: (seconds: number) => written.observe(seconds),
  };
}
