/** The small interfaces the app layer is written against; adapters implement them. */

/** Structured logging, `(fields, 'constant message')`; pino satisfies it. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Logger;
}

/** One message read from the topic. */
export interface LogRecord {
  partition: number;
  offset: string;
  /** UTF-8 value; null for a tombstone. */
  value: string | null;
  /** Kafka timestamp, ms since the epoch. */
  timestamp: string;
}

/** First and next-to-write offset of a partition, as the broker reported them. */
export interface PartitionEnds {
  partition: number;
  low: number;
  high: number;
}

/** Counts what a consumer did with the events it read. */
export interface EventCounters {
  applied(count: number): void;
  rejected(reason: string): void;
  ignored(name: string): void;
  duplicate(): void;
}

export type KafkaState = 'connecting' | 'running' | 'down';

/** How a consumer tells whether Kafka answers, apart from the records it delivers. */
export interface KafkaLiveness {
  setState(state: KafkaState, error?: string): void;
  /** A fetch came back from Kafka: it is reachable. */
  markFetched(): void;
}

/** Where a consumer delivers what it reads, records and offsets; the projection runner is one. */
export interface LogSink {
  applyBatch(partition: number, records: readonly LogRecord[], highWatermark?: string): void;
  passOffsets(partition: number, nextOffset: number): void;
  setStartEnds(ends: readonly PartitionEnds[]): void;
  /** The offset to start reading from per partition after joining. */
  readFrom(): ReadonlyMap<number, number>;
  /** A promise to wait for before delivering records, while the sink is busy (writing a snapshot). */
  ready?(): Promise<void> | undefined;
}
