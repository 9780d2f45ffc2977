/** What GET /health says about a process: every process has a status; one that follows the log says how far it read. */
import type { KafkaStatus } from './kafka-liveness.js';
import type { KafkaState } from './ports.js';
import type { SnapshotSource } from './snapshot-state.js';

export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface PartitionProgress {
  applied: number | null;
  end: number | null;
  lag: number;
}

export interface EventTotals {
  applied: number;
  rejected: number;
  ignored: number;
  duplicates: number;
}

export interface HealthReport {
  status: HealthStatus;
  topic: string;
  kafka: KafkaState;
  error?: string;
  caughtUp: boolean;
  lag: number;
  partitions: Record<string, PartitionProgress>;
  events: EventTotals;
  /** Where the state came from: a snapshot (and which), or the log from its start; `replayed`: events applied after it. */
  restored?: SnapshotSource & { replayed: number };
}

export interface FollowerState {
  topic: string;
  kafka: KafkaStatus;
  /** A snapshot is being fetched or loaded. */
  restoring: boolean;
  caughtUp: boolean;
  progress: { lag: number; partitions: Record<string, PartitionProgress> };
  events: EventTotals;
  restored: SnapshotSource | undefined;
}

/** Passes once Kafka answers and the log is read to where it ended at start; loading a snapshot, before Kafka is asked, only warns. */
export function followerStatus({ restoring, kafka, caughtUp }: Pick<FollowerState, 'restoring' | 'kafka' | 'caughtUp'>): HealthStatus {
  if (restoring) return 'warn';
  if (!kafka.reachable) return 'fail';
  return caughtUp ? 'pass' : 'warn';
}

export function followerHealth(state: FollowerState): HealthReport {
  const { kafka, progress, events, restored } = state;
  return {
    status: followerStatus(state),
    topic: state.topic,
    kafka: kafka.state,
    ...(kafka.error !== undefined && !kafka.reachable && { error: kafka.error }),
    caughtUp: state.caughtUp,
    lag: progress.lag,
    partitions: progress.partitions,
    events: { ...events },
    ...(restored !== undefined && { restored: { ...restored, replayed: events.applied } }),
  };
}
