import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../../app/connections.js';
import type { Logger } from '../../app/ports.js';
import { checkWaitingRequestsOnly } from './request-queue-checks.js';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  security?: KafkaSecurity;
}

/** Warnings about choices made here on purpose: bounded producer retries turn an unreachable broker into a 503. */
const expected = [
  /^Limiting retries for the idempotent producer/,
  /switched default partitioner/,
  // A partition's next transaction meets the last one's commit still being written, and is retried in milliseconds.
  /concurrent operation on the same transaction was ongoing/,
];

/** Hands kafkajs's log lines to our logger, one child per kafkajs namespace. */
function logCreatorFor(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...fields } = log;
      const target = logger.child({ kafkajs: namespace });
      const text = `kafkajs: ${message}`;
      if (expected.some((pattern) => pattern.test(message))) target.debug(fields, text);
      else if (level === logLevel.ERROR) target.error(fields, text);
      else if (level === logLevel.WARN) target.warn(fields, text);
      // Its info lines (joins, commits) are routine at our level: debug.
      else target.debug(fields, text);
    };
}

function connectionSecurity({ tls, sasl }: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ...(tls !== undefined && { ssl: tls.caFile === undefined ? true : { ca: [readFileSync(tls.caFile, 'utf8')] } }),
    // The mechanism decides which shape kafkajs expects; all three take a username and a password.
    ...(sasl !== undefined && { sasl: { ...sasl } as SASLOptions }),
  };
}

export function createKafka({ brokers, clientId, logger, security = {} }: KafkaOptions): Kafka {
  checkWaitingRequestsOnly();
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: logCreatorFor(logger),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5 },
    ...connectionSecurity(security),
  });
}
