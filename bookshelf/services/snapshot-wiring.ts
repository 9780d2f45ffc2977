/** Snapshots for a log follower: the state dir, the store, peers through Consul, and where the topic ends, to check against. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Projection } from '../domain/projection.js';
import type { ProjectionRunner } from '../app/projection-runner.js';
import type { Logger, PartitionEnds } from '../app/ports.js';
import { createSnapshots, type Snapshots } from '../app/snapshots.js';
import { createConsulClient } from '../adapters/consul/consul-client.js';
import { passingPeers } from '../adapters/consul/peer-lookup.js';
import { createSnapshotStore } from '../adapters/fs/snapshot-store.js';
import type { Metrics } from '../adapters/http/metrics.js';
import { fetchSnapshot } from '../adapters/http/snapshot-client.js';
import { createSnapshotMetrics } from '../adapters/metrics/snapshot-metrics.js';
import type { ServiceConfig } from '../adapters/cli/config.js';
import { snapshotConfig } from '../adapters/cli/snapshot-options.js';

/** `$XDG_STATE_HOME/bookshelf/<id>`, or `~/.local/state/bookshelf/<id>`. */
export function defaultStateDir(id: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME?.trim() || join(homedir(), '.local', 'state');
  return join(base, 'bookshelf', id.replace(/[^A-Za-z0-9._-]/g, '_'));
}

export interface SnapshotWiring<V> {
  projection: Projection<V>;
  runner: ProjectionRunner<V>;
  config: ServiceConfig;
  logger: Logger;
  metrics: Metrics;
  serviceId: string;
  /** Where each partition of the topic ends now (Kafka's answer to a question asked after the call). */
  topicEnds: () => Promise<PartitionEnds[]>;
  onTopicChanged: () => void;
}

/** Undefined when the projection has no snapshot codec or snapshots are turned off. */
export function wireSnapshots<V>({
  projection,
  runner,
  config,
  logger,
  metrics,
  serviceId,
  topicEnds,
  onTopicChanged,
}: SnapshotWiring<V>): Snapshots | undefined {
  const settings = snapshotConfig(config.extra);
  if (projection.snapshot === undefined || !settings.enabled) return undefined;
  const store = createSnapshotStore({ dir: settings.stateDir ?? defaultStateDir(serviceId) });
  const consul = config.register ? createConsulClient(config.consul) : undefined;
  return createSnapshots({
    runner,
    codec: projection.snapshot,
    topic: config.topic,
    store,
    logger: logger.child({ module: 'snapshots' }),
    counters: createSnapshotMetrics(metrics.registry),
    every: settings.every,
    intervalMs: settings.intervalSeconds * 1000,
    onTopicChanged,
    topicEnds,
    ...(consul && {
      peers: {
        find: () => passingPeers(consul, { name: config.name, selfId: serviceId }),
        fetch: (url: string) => fetchSnapshot(url, config.auth.token === undefined ? {} : { token: config.auth.token }),
      },
    }),
  });
}
