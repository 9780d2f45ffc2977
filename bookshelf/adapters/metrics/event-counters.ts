/** Prometheus counters of what a consumer did with the events it read, on the process's registry. */
import { Counter, type Registry } from 'prom-client';
import type { EventCounters } from '../../app/ports.js';

export function createEventCounters(registry: Registry): EventCounters {
  const registers = [registry];
  const applied = new Counter({ name: 'bookshelf_events_applied_total', help: 'Events applied to the projection', registers });
  const rejected = new Counter({
    name: 'bookshelf_events_rejected_total',
    help: 'Messages skipped as invalid, by reason',
    labelNames: ['reason'],
    registers,
  });
  const ignored = new Counter({ name: 'bookshelf_events_ignored_total', help: 'Events with a name this process does not use', registers });
  const duplicates = new Counter({
    name: 'bookshelf_events_duplicate_total',
    help: 'Events skipped because their id was already applied',
    registers,
  });
  return {
    applied: (count) => applied.inc(count),
    rejected: (reason) => rejected.inc({ reason }),
    ignored: () => ignored.inc(),
    duplicate: () => duplicates.inc(),
  };
}
