/** The effective configuration of a service, from command line, environment, config file and defaults. */
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { ConfigError, duration, flag, hostPort, integer, list, oneOf, seconds, text, type OptionSpec } from './options.js';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
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

export interface ConsulAddress {
  host: string;
  port: number;
  secure: boolean;
  token?: string;
}

export interface ServiceConfig {
  entry: string;
  role: Role;
  topic: string;
  brokers: string[];
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
  /** The entry's own options, by flag. */
  extra: Record<string, unknown>;
}

export const sharedOptions = (entry: EntryDefaults): OptionSpec[] => [
  { flag: 'topic', type: 'string', env: 'BOOKSHELF_TOPIC', default: 'bookshelf', describe: 'the event topic', parse: text(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name') },
  { flag: 'broker', type: 'array', env: 'KAFKA_BROKERS', default: ['localhost:9092'], describe: 'Kafka bootstrap address, repeatable or comma-separated', parse: list(hostPort) },
  { flag: 'addr', type: 'string', env: 'BOOKSHELF_ADDR', default: '127.0.0.1', describe: 'address the HTTP server binds', parse: text() },
  { flag: 'port', type: 'number', env: 'BOOKSHELF_PORT', default: entry.port, describe: 'HTTP port (0 = any free port)', parse: integer(0, 65535) },
  { flag: 'name', type: 'string', env: 'BOOKSHELF_NAME', default: entry.name, describe: 'Consul service name', parse: text(/^[A-Za-z0-9-]{1,63}$/, 'letters, digits and dashes') },
  { flag: 'id', type: 'string', env: 'BOOKSHELF_ID', describe: 'Consul service id', defaultDescription: '<name>-<hostname>-<port>', parse: text() },
  { flag: 'tags', type: 'array', env: 'BOOKSHELF_TAGS', default: entry.tags, describe: 'Consul tags', parse: list(text(), { allowEmpty: true }) },
  { flag: 'advertise', type: 'string', describe: 'address registered in Consul', defaultDescription: '--addr, or the first non-internal IPv4 when --addr is 0.0.0.0', parse: text() },
  { flag: 'consul', type: 'string', env: 'CONSUL_HTTP_ADDR', default: '127.0.0.1:8500', describe: 'Consul agent HTTP address', parse: text(/^(https?:\/\/)?[^/\s:]+:\d{1,5}\/?$/, '[http(s)://]host:port') },
  { flag: 'consul-token', type: 'string', env: 'CONSUL_HTTP_TOKEN', describe: 'Consul ACL token', parse: text(), secret: true },
  { flag: 'register', type: 'boolean', default: true, describe: 'register in Consul (--no-register runs without it)', parse: flag },
  { flag: 'group', type: 'string', describe: 'Kafka consumer group', defaultDescription: 'one of its own, so it reads every partition', parse: text() },
  { flag: 'delay', type: 'number', default: 0, describe: 'seconds to wait before starting', parse: seconds },
  { flag: 'log-level', type: 'string', env: 'LOG_LEVEL', default: 'info', describe: 'pino log level', parse: oneOf(logLevels) },
  { flag: 'check-interval', type: 'string', default: '5s', describe: 'Consul health check interval', parse: duration },
  { flag: 'deregister-after', type: 'string', default: '1m', describe: 'Consul deregisters a service critical for this long', parse: duration },
];

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
export function resolveOptions(specs: OptionSpec[], { cli, env, file = {} }: ConfigSources): Record<string, unknown> {
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
      throw new ConfigError(spec.flag, (error as Error).message);
    }
  }
  return values;
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
  const specs = [...sharedOptions(entry), ...(entry.options ?? [])];
  const v = resolveOptions(specs, sources);
  const addr = v.addr as string;
  const wildcard = addr === '0.0.0.0' || addr === '::';
  const advertise = (v.advertise as string | undefined) ?? (wildcard ? ((sources.externalAddress ?? firstExternalIPv4)() ?? '127.0.0.1') : addr);
  const extra: Record<string, unknown> = {};
  for (const spec of entry.options ?? []) extra[spec.flag] = v[spec.flag];
  return {
    entry: entry.entry,
    role: entry.role,
    topic: v.topic as string,
    brokers: v.broker as string[],
    addr,
    port: v.port as number,
    name: v.name as string,
    ...(v.id !== undefined && { id: v.id as string }),
    tags: v.tags as string[],
    advertise,
    consul: parseConsulAddress(v.consul as string, v['consul-token'] as string | undefined),
    register: v.register as boolean,
    ...(v.group !== undefined && { group: v.group as string }),
    delay: v.delay as number,
    logLevel: v['log-level'] as LogLevel,
    checkInterval: v['check-interval'] as string,
    deregisterAfter: v['deregister-after'] as string,
    extra,
  };
}

/** The Consul id when none was given. */
export const defaultServiceId = (name: string, port: number, host = osHostname()): string => `${name}-${host}-${port}`;

/** The configuration as --print-config shows it: secrets masked. */
export function printableConfig(config: ServiceConfig): Record<string, unknown> {
  const { consul, ...rest } = config;
  return { ...rest, consul: { ...consul, ...(consul.token !== undefined && { token: '[redacted]' }) } };
}
