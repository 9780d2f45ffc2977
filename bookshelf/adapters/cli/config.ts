/** The effective configuration of a service, from command line, environment, config file and defaults. */
import { accessSync, constants as fsConstants } from 'node:fs';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { logLevels, saslMechanisms, type ConsulAddress, type KafkaSecurity, type LogLevel } from '../../app/connections.js';
import {
  ConfigError,
  duration,
  flag,
  hostPort,
  integer,
  list,
  oneOf,
  option,
  seconds,
  text,
  type OptionSpec,
  type OptionValues,
} from './options.js';

export type Role = 'view' | 'aggregate' | 'gateway';

/** What differs between entries: their name, port, tags and own options. */
export interface EntryDefaults {
  entry: string;
  role: Role;
  name: string;
  port: number;
  tags: string[];
  describe: string;
  options?: OptionSpec[];
}

/** The bearer token that guards commands, and reads too when `reads` is set. */
export interface AuthConfig {
  token?: string;
  reads: boolean;
}

export interface ServiceConfig {
  entry: string;
  role: Role;
  topic: string;
  brokers: string[];
  kafkaSecurity: KafkaSecurity;
  addr: string;
  port: number;
  name: string;
  /** Undefined: `<name>-<hostname>-<port>` once the port is known. */
  id?: string;
  tags: string[];
  advertise: string;
  consul: ConsulAddress;
  register: boolean;
  group?: string;
  delay: number;
  logLevel: LogLevel;
  checkInterval: string;
  deregisterAfter: string;
  auth: AuthConfig;
  /** The entry's own options, by flag. */
  extra: Record<string, unknown>;
}

/** The options every entry has; each keeps its flag and value type, so `resolveConfig` reads them typed. */
export const sharedOptions = (entry: EntryDefaults) => [
  option({
    flag: 'topic',
    type: 'string',
    env: 'BOOKSHELF_TOPIC',
    default: 'bookshelf',
    describe: 'the event topic',
    parse: text(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name'),
  }),
  option({
    flag: 'broker',
    type: 'array',
    env: 'KAFKA_BROKERS',
    default: ['localhost:9092'],
    describe: 'Kafka bootstrap address, repeatable or comma-separated',
    parse: list(hostPort),
  }),
  option({ flag: 'kafka-tls', type: 'boolean', env: 'KAFKA_TLS', default: false, describe: 'connect to Kafka over TLS', parse: flag }),
  option({
    flag: 'kafka-ca',
    type: 'string',
    env: 'KAFKA_CA',
    describe: "PEM file of the CA that signed the brokers' certificates (implies --kafka-tls)",
    defaultDescription: "Node's CAs",
    parse: readableFile,
  }),
  option({
    flag: 'kafka-sasl-mechanism',
    type: 'string',
    env: 'KAFKA_SASL_MECHANISM',
    describe: 'Kafka SASL mechanism',
    defaultDescription: 'plain when a username is given',
    parse: oneOf(saslMechanisms),
  }),
  option({ flag: 'kafka-username', type: 'string', env: 'KAFKA_SASL_USERNAME', describe: 'Kafka SASL username', parse: text() }),
  option({
    flag: 'kafka-password',
    type: 'string',
    env: 'KAFKA_SASL_PASSWORD',
    describe: 'Kafka SASL password (prefer the environment: the command line is visible to others)',
    parse: secretText,
    secret: true,
  }),
  option({
    flag: 'addr',
    type: 'string',
    env: 'BOOKSHELF_ADDR',
    default: '127.0.0.1',
    describe: 'address the HTTP server binds',
    parse: text(),
  }),
  option({
    flag: 'port',
    type: 'number',
    env: 'BOOKSHELF_PORT',
    default: entry.port,
    describe: 'HTTP port (0 = any free port)',
    parse: integer(0, 65535),
  }),
  option({
    flag: 'name',
    type: 'string',
    env: 'BOOKSHELF_NAME',
    default: entry.name,
    describe: 'Consul service name',
    parse: text(/^[A-Za-z0-9-]{1,63}$/, 'letters, digits and dashes'),
  }),
  option({
    flag: 'id',
    type: 'string',
    env: 'BOOKSHELF_ID',
    describe: 'Consul service id',
    defaultDescription: '<name>-<hostname>-<port>',
    parse: text(),
  }),
  option({
    flag: 'tags',
    type: 'array',
    env: 'BOOKSHELF_TAGS',
    default: entry.tags,
    describe: 'Consul tags',
    parse: list(text(), { allowEmpty: true }),
  }),
  option({
    flag: 'advertise',
    type: 'string',
    describe: 'address registered in Consul',
    defaultDescription: '--addr, or the first non-internal IPv4 when --addr is 0.0.0.0',
    parse: text(),
  }),
  option({
    flag: 'consul',
    type: 'string',
    env: 'CONSUL_HTTP_ADDR',
    default: '127.0.0.1:8500',
    describe: 'Consul agent HTTP address',
    parse: text(/^(https?:\/\/)?[^/\s:]+:\d{1,5}\/?$/, '[http(s)://]host:port'),
  }),
  option({ flag: 'consul-token', type: 'string', env: 'CONSUL_HTTP_TOKEN', describe: 'Consul ACL token', parse: text(), secret: true }),
  option({ flag: 'register', type: 'boolean', default: true, describe: 'register in Consul (--no-register runs without it)', parse: flag }),
  option({
    flag: 'group',
    type: 'string',
    describe: 'Kafka consumer group',
    defaultDescription: 'one of its own, so it reads every partition',
    parse: text(),
  }),
  option({ flag: 'delay', type: 'number', default: 0, describe: 'seconds to wait before starting', parse: seconds }),
  option({ flag: 'log-level', type: 'string', env: 'LOG_LEVEL', default: 'info', describe: 'pino log level', parse: oneOf(logLevels) }),
  option({ flag: 'check-interval', type: 'string', default: '5s', describe: 'Consul health check interval', parse: duration }),
  option({
    flag: 'deregister-after',
    type: 'string',
    default: '1m',
    describe: 'Consul deregisters a service critical for this long',
    parse: duration,
  }),
  option({
    flag: 'auth-token',
    type: 'string',
    env: 'BOOKSHELF_AUTH_TOKEN',
    describe: 'bearer token required for commands (POST, PUT, PATCH, DELETE)',
    defaultDescription: 'none: open',
    parse: bearerToken,
    secret: true,
  }),
  option({
    flag: 'auth-reads',
    type: 'boolean',
    default: false,
    describe: 'require the token for reads too (/health and /metrics stay open)',
    parse: flag,
  }),
];

/** The shared options' values, typed by their specs. */
type SharedValues = OptionValues<ReturnType<typeof sharedOptions>>;

/** A secret is taken as given: spaces may be part of it. */
function secretText(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new Error('must be a non-empty string');
  return raw;
}

/** What fits in `Authorization: Bearer …`; a bad one is not echoed. */
function bearerToken(raw: unknown): string {
  if (typeof raw !== 'string' || !/^[\x21-\x7E]+$/.test(raw)) throw new Error('must be printable ASCII without spaces');
  return raw;
}

function readableFile(raw: unknown): string {
  const path = text()(raw);
  try {
    accessSync(path, fsConstants.R_OK);
  } catch {
    throw new Error(`must be a readable file (got ${JSON.stringify(path)})`);
  }
  return path;
}

/** TLS when asked for or when a CA is given; SASL when any of its three options is given, then with all of them. */
function kafkaSecurity(v: SharedValues): KafkaSecurity {
  const { 'kafka-ca': caFile, 'kafka-sasl-mechanism': mechanism, 'kafka-username': username, 'kafka-password': password } = v;
  const security: KafkaSecurity = {};
  if (v['kafka-tls'] || caFile !== undefined) security.tls = caFile === undefined ? {} : { caFile };
  if (mechanism !== undefined || username !== undefined || password !== undefined) {
    if (username === undefined) throw new ConfigError('kafka-username', 'is required for Kafka SASL');
    if (password === undefined) throw new ConfigError('kafka-password', 'is required for Kafka SASL');
    security.sasl = { mechanism: mechanism ?? 'plain', username, password };
  }
  return security;
}

export interface ConfigSources {
  /** Flags given on the command line, by flag name (undefined when not given). */
  cli: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** The parsed config file, if any. */
  file?: Record<string, unknown>;
  hostname?: string;
  /** First non-internal IPv4 of this host, for --addr 0.0.0.0. */
  externalAddress?: () => string | undefined;
}

const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Layers the sources for every option; throws ConfigError naming the flag of the first bad value. */
export function resolveOptions<S extends readonly OptionSpec[]>(specs: S, { cli, env, file = {} }: ConfigSources): OptionValues<S> {
  const known = new Set(specs.flatMap((spec) => [spec.flag, camel(spec.flag)]));
  for (const key of Object.keys(file)) {
    if (!known.has(key)) throw new ConfigError('config', `file has an unknown key "${key}"`);
  }
  const values: Record<string, unknown> = {};
  for (const spec of specs) {
    const envValue = spec.env === undefined ? undefined : env[spec.env];
    const candidates: unknown[] = [cli[spec.flag], envValue === '' ? undefined : envValue, file[spec.flag] ?? file[camel(spec.flag)]];
    const raw = candidates.find((candidate) => candidate !== undefined);
    if (raw === undefined) {
      values[spec.flag] = spec.default;
      continue;
    }
    try {
      values[spec.flag] = spec.parse(raw);
    } catch (error) {
      throw new ConfigError(spec.flag, (error as Error).message, { cause: error });
    }
  }
  // Each value is what its spec's parse returned, or its default: what OptionValues says.
  return values as OptionValues<S>;
}

export function parseConsulAddress(address: string, token?: string): ConsulAddress {
  const secure = address.startsWith('https://');
  const bare = address.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const colon = bare.lastIndexOf(':');
  return { host: bare.slice(0, colon), port: Number(bare.slice(colon + 1)), secure, ...(token !== undefined && { token }) };
}

function firstExternalIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

/** The typed configuration of one entry. */
export function resolveConfig(entry: EntryDefaults, sources: ConfigSources): ServiceConfig {
  const v = resolveOptions([...sharedOptions(entry), ...(entry.options ?? [])], sources);
  const addr = v.addr;
  const wildcard = addr === '0.0.0.0' || addr === '::';
  const advertise = v.advertise ?? (wildcard ? ((sources.externalAddress ?? firstExternalIPv4)() ?? '127.0.0.1') : addr);
  const extra: Record<string, unknown> = {};
  for (const spec of entry.options ?? []) extra[spec.flag] = v[spec.flag];
  return {
    entry: entry.entry,
    role: entry.role,
    topic: v.topic,
    brokers: v.broker,
    kafkaSecurity: kafkaSecurity(v),
    addr,
    port: v.port,
    name: v.name,
    ...(v.id !== undefined && { id: v.id }),
    tags: v.tags,
    advertise,
    consul: parseConsulAddress(v.consul, v['consul-token']),
    register: v.register,
    ...(v.group !== undefined && { group: v.group }),
    delay: v.delay,
    logLevel: v['log-level'],
    checkInterval: v['check-interval'],
    deregisterAfter: v['deregister-after'],
    auth: { ...(v['auth-token'] !== undefined && { token: v['auth-token'] }), reads: v['auth-reads'] },
    extra,
  };
}

/** The Consul id when none was given. */
export const defaultServiceId = (name: string, port: number, host = osHostname()): string => `${name}-${host}-${port}`;

/** The configuration as --print-config shows it: secrets masked. */
export function printableConfig(config: ServiceConfig): Record<string, unknown> {
  const {
    consul,
    kafkaSecurity: { sasl, ...kafkaRest },
    auth,
  } = config;
  return {
    ...config,
    kafkaSecurity: { ...kafkaRest, ...(sasl !== undefined && { sasl: { ...sasl, password: REDACTED } }) },
    consul: { ...consul, ...(consul.token !== undefined && { token: REDACTED }) },
    auth: { ...auth, ...(auth.token !== undefined && { token: REDACTED }) },
  };
}

const REDACTED = '[redacted]';
