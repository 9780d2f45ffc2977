/**
 * Follows the topic into a projection, for views and the aggregate alike: the projection runner,
 * the Kafka client, and a consumer of its own group, started once the service knows its id.
 */
import type { RecordedEvent } from '../domain/events.js';
import type { Projection } from '../domain/projection.js';
import { createProjectionRunner } from '../app/projection-runner.js';
import { offsetsBehind } from '../app/log-position.js';
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
/**
 * At least this far behind the log's end when reading begins, the consumer runs in a fetch worker, which decodes the
 * next batches beside the main thread; nearer (a restart from a fresh snapshot), the worker's own start (a second
 * Node environment, kafkajs compiled again, a connection of its own: about 0.15 s of CPU) costs more than it saves.
 */
export const FETCH_WORKER_FROM = 50_000;

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
  fetchWorkerFrom = FETCH_WORKER_FROM,
}: {
  projection: Projection<V>;
  config: ServiceConfig;
  logger: Logger;
  metrics: Metrics;
  pace?: FetchPace;
  onApplied?: (event: RecordedEvent, partition: number, offset: number) => void;
  /** Told once the projection has caught up with the log (its health then passes). */
  onCaughtUp?: () => void;
  /** Offsets behind the log's end from which the consumer runs in a fetch worker (0: always). */
  fetchWorkerFrom?: number;
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
  /** A consumer that reads from where the view got, in a fetch worker when the view is far behind; never throws. */
  const startConsumer = async (serviceId: string): Promise<void> => {
    const behind = await ends.fetch().then(
      (now) => offsetsBehind(runner.readFrom(), now),
      // Kafka is not there yet: the consumer waits for it, and the log may be long.
      () => Number.POSITIVE_INFINITY,
    );
    if (stopped) return;
    const inWorker = behind >= fetchWorkerFrom;
    logger.info({ behind, in: inWorker ? 'fetch worker' : 'main thread' }, 'reading the log');
    consumer = createWorkerConsumer({
      kafka,
      connection,
      logger: logger.child({ module: 'consumer' }),
      topic: config.topic,
      groupId: config.group ?? { prefix: serviceId },
      sink: runner,
      liveness: runner.liveness,
      inThread: !inWorker,
      ...pace,
    });
    consumer.start();
  };
  return {
    runner,
    kafka,
    /** Starts from a snapshot when there is a good one, then reads in the background, in a group of its own unless --group names one. */
    start(serviceId: string): void {
      snapshots = wireSnapshots({
        projection,
        runner,
        config,
        logger,
        metrics,
        serviceId,
        topicEnds: ends.fetch,
        // The snapshot was of a topic since made again: read this one from its start, with a new consumer.
        onTopicChanged: () => {
          const old = consumer;
          consumer = undefined;
          void old?.stop().then(() => {
            runner.resume();
            if (!stopped) void startConsumer(serviceId);
          });
        },
      });
      starting = (async () => {
        await snapshots?.restore().catch((error: Error) => logger.error({ err: error.message }, 'could not restore a snapshot'));
        if (stopped) return;
        await startConsumer(serviceId);
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
