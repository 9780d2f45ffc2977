/**
 * How a process reaches Kafka and Consul and how much it logs: read by the command line, used by the adapters that
 * connect. Defined here, once, because adapters do not import each other.
 */

export const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/** TLS and SASL for a broker that asks for them; empty for plaintext. */
export interface KafkaSecurity {
  tls?: { caFile?: string };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** A Consul agent's HTTP API. */
export interface ConsulAddress {
  host: string;
  port: number;
  secure: boolean;
  token?: string;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
