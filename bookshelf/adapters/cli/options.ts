/**
 * Every configuration key: its flag, environment variable, default and check.
 * Priority, highest first: command line, environment, config file, defaults.
 */

/** A bad value in the configuration: the same value fails the same way again. */
export class ConfigError extends Error {
  readonly retriable = false;

  constructor(
    readonly flag: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`--${flag} ${problem}`, options);
  }
}

export type OptionType = 'string' | 'number' | 'boolean' | 'array';

export interface OptionSpec<T = unknown, F extends string = string> {
  /** The flag without dashes, also the key in a config file and in the effective configuration. */
  flag: F;
  type: OptionType;
  describe: string;
  env?: string;
  /** Undefined: no default (the service derives one). */
  default?: T;
  defaultDescription?: string;
  /** Turns a raw value (from argv, env text or JSON) into the typed value, or throws a message. */
  parse: (raw: unknown) => T;
  /** Kept out of --print-config and logs. */
  secret?: boolean;
}

/** An option as declared, its flag and value type kept: an entry's own options then give it a typed object. */
export const option = <const S extends OptionSpec>(spec: S): S => spec;

/** The values of options by flag, as each one's `parse` returns them; undefined where there is no default. */
export type OptionValues<S extends readonly OptionSpec[]> = {
  [Spec in S[number] as Spec['flag']]: Spec extends { default: unknown }
    ? ReturnType<Spec['parse']>
    : ReturnType<Spec['parse']> | undefined;
};

/** An entry's own options from `config.extra`, typed by their specs: each value checked again by its spec. */
export function optionValues<S extends readonly OptionSpec[]>(specs: S, extra: Readonly<Record<string, unknown>>): OptionValues<S> {
  const values: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = extra[spec.flag] ?? spec.default;
    try {
      values[spec.flag] = value === undefined ? undefined : spec.parse(value);
    } catch (error) {
      throw new ConfigError(spec.flag, (error as Error).message);
    }
  }
  // Each value is what its spec's parse returned, or undefined where it has no default: what OptionValues says.
  return values as OptionValues<S>;
}

const invalid = (problem: string): never => {
  throw new Error(problem);
};

const show = (raw: unknown): string => JSON.stringify(raw) ?? String(raw);

export const text =
  (pattern?: RegExp, what = 'a non-empty string') =>
  (raw: unknown): string => {
    const value = typeof raw === 'number' ? String(raw) : raw;
    if (typeof value !== 'string' || value.trim() === '' || (pattern && !pattern.test(value)))
      return invalid(`must be ${what} (got ${show(raw)})`);
    return value.trim();
  };

export const integer =
  (min: number, max: number) =>
  (raw: unknown): number => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return invalid(`must be an integer from ${min} to ${max} (got ${show(raw)})`);
    }
    return value;
  };

export const seconds = (raw: unknown): number => {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 3600)
    return invalid(`must be a number of seconds from 0 to 3600 (got ${show(raw)})`);
  return value;
};

export const flag = (raw: unknown): boolean => {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return invalid(`must be true or false (got ${show(raw)})`);
};

export const oneOf =
  <T extends string>(values: readonly T[]) =>
  (raw: unknown): T => {
    if (typeof raw !== 'string' || !values.includes(raw as T)) return invalid(`must be one of ${values.join(', ')} (got ${show(raw)})`);
    return raw as T;
  };

/** A list from repeated flags, a JSON array, or comma-separated text. */
export const list =
  (item: (raw: unknown) => string, { allowEmpty = false } = {}) =>
  (raw: unknown): string[] => {
    const items = (Array.isArray(raw) ? (raw as unknown[]) : [raw]).flatMap((entry) =>
      typeof entry === 'string' ? entry.split(',') : [entry],
    );
    const values = items.filter((entry) => !(typeof entry === 'string' && entry.trim() === '')).map(item);
    if (!allowEmpty && values.length === 0) return invalid('must name at least one value');
    return values;
  };

export const hostPort = text(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port');
/** Go duration as Consul reads it: 10s, 1m, 500ms. */
export const duration = text(/^\d+(\.\d+)?(ns|us|ms|s|m|h)$/, 'a duration such as 5s, 1m or 500ms');
