/**
 * Follows the topic into a projection, for views and the aggregate alike: the projection runner,
 * the Kafka client, and a consumer of its own group, started once the service knows its id.
 */
import type { RecordedEvent } from '../domain/events.js';
import type { Projection } from '../domain/projection.js';
import { createProjectionRunner } from '../app/projection-runner.js';
import type { Logger } from '../app/ports.js';
import { createWorkerConsumer } from '../adapters/kafka/worker-consumer.js';
import { createKafka } from '../adapters/kafka/kafka-client.js';
import { createLogEnds } from '../adapters/kafka/log-ends.js';
import type { Metrics } from '../adapters/http/metrics.js';
import { logMetrics } from '../adapters/metrics/role-metrics.js';
import { createEventCounters } from '../adapters/metrics/event-counters.js';
import type { ServiceConfig } from '../adapters/cli/config.js';
import type { Snapshots } from '../app/snapshots.js';
import { collectGarbage } from '../adapters/runtime/collect-garbage.js';
import { wireSnapshots } from './snapshot-wiring.js';

/** A replay of this many events leaves enough garbage in the old generation to collect it at once when caught up. */
const REPLAY_GARBAGE_EVENTS = 100_000;

/** How the consumer fetches: by default each event as soon as it is in the log. */
export interface FetchPace {
  minBytes: number;
  maxWaitTimeInMs: number;
}

export function followLog<V>({
  projection,
  config,
  logger,
  metrics,
  pace,
  onApplied,
  onCaughtUp,
}: {
  projection: Projection<V>;
  config: ServiceConfig;
  logger: Logger;
  metrics: Metrics;
  pace?: FetchPace;
  onApplied?: (event: RecordedEvent, partition: number, offset: number) => void;
  /** Told once the projection has caught up with the log (its health then passes). */
  onCaughtUp?: () => void;
}) {
  const connection = { brokers: config.brokers, clientId: config.name, security: config.kafkaSecurity };
  const kafka = createKafka({ ...connection, logger: logger.child({ module: 'kafka' }) });
  const ends = createLogEnds({ kafka, topic: config.topic });
  const runner = createProjectionRunner({
    projection,
    topic: config.topic,
    logger: logger.child({ module: 'projection' }),
    counters: createEventCounters(metrics.registry),
    fetchEnds: ends.fetch,
    ...(onApplied && { onApplied }),
    onCaughtUp(applied) {
      onCaughtUp?.();
      if (applied < REPLAY_GARBAGE_EVENTS) return;
      const ms = collectGarbage();
      logger.info({ applied, ms: Math.round(ms) }, 'replay garbage collected');
    },
  });
  logMetrics(metrics.registry, () => runner.health().partitions);
  let consumer: ReturnType<typeof createWorkerConsumer> | undefined;
  let snapshots: Snapshots | undefined;
  let starting: Promise<void> | undefined;
  let stopped = false;
  const newConsumer = (serviceId: string) => {
    consumer = createWorkerConsumer({
      kafka,
      connection,
      logger: logger.child({ module: 'consumer' }),
      topic: config.topic,
      groupId: config.group ?? { prefix: serviceId },
      sink: runner,
      liveness: runner.liveness,
      ...pace,
    });
    return consumer;
  };
  return {
    runner,
    kafka,
    /** Starts from a snapshot when there is a good one, then reads in the background, in a group of its own unless --group names one. */
    start(serviceId: string): void {
      snapshots = wireSnapshots({
        projection,
        runner,
        kafka,
        config,
        logger,
        metrics,
        serviceId,
        // The snapshot was of a topic since made again: read this one from its start, with a new consumer.
        onTopicChanged: () => {
          const old = consumer;
          consumer = undefined;
          void old?.stop().then(() => {
            runner.resume();
            if (!stopped) newConsumer(serviceId).start();
          });
        },
      });
      // The fetch worker starts and connects during the restore, on the other core; it reads from where the restore leaves the view.
      const first = newConsumer(serviceId);
      first.prepare();
      starting = (async () => {
        await snapshots?.restore().catch((error: Error) => logger.error({ err: error.message }, 'could not restore a snapshot'));
        if (stopped) return;
        first.start();
        snapshots?.start();
      })();
    },
    /** The newest snapshot, for a peer; undefined when snapshots are off. */
    snapshotSource: () => snapshots,
    async stop(): Promise<void> {
      stopped = true;
      snapshots?.close();
      await starting;
      await Promise.all([snapshots?.stop(), consumer?.stop(), ends.stop()]);
      runner.close();
    },
  };
}
