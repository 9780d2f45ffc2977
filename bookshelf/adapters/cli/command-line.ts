/** Reads a service's command line with yargs: --help, --config, --print-config, and every option. */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { resolveConfig, sharedOptions, printableConfig, type EntryDefaults, type ServiceConfig } from './config.js';
import { ConfigError, type OptionSpec } from './options.js';
import { packageVersion } from './package-version.js';

export type CommandLine =
  | { kind: 'run'; config: ServiceConfig }
  /** Help, a printed configuration, or a bad value: print `output` and exit with `code`. */
  | { kind: 'exit'; code: number; output: string; stream: 'stdout' | 'stderr' };

const describeDefault = (spec: OptionSpec): string | undefined => {
  if (spec.defaultDescription) return spec.defaultDescription;
  const value = spec.default;
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(' ') || 'none';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
};

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('config', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError('config', `${path} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

export async function parseCommandLine(
  entry: EntryDefaults,
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<CommandLine> {
  const specs: OptionSpec[] = [...sharedOptions(entry), ...(entry.options ?? [])];
  let parser = yargs(argv)
    .scriptName(entry.entry)
    .usage(`$0 [options]\n\n${entry.describe}`)
    .parserConfiguration({ 'camel-case-expansion': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .strict()
    .exitProcess(false)
    .version(false)
    .help('help')
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns || 110));
  for (const spec of specs) {
    parser = parser.option(spec.flag, {
      type: spec.type === 'number' ? 'string' : spec.type,
      describe: spec.env ? `${spec.describe} [env ${spec.env}]` : spec.describe,
      ...(describeDefault(spec) !== undefined && { defaultDescription: describeDefault(spec) }),
      requiresArg: spec.type !== 'boolean',
    });
  }
  parser = parser
    .option('config', { type: 'string', describe: 'JSON file with any of these options [env BOOKSHELF_CONFIG]', requiresArg: true })
    .option('print-config', { type: 'boolean', describe: 'print the effective configuration as JSON and exit' })
    .option('version', { type: 'boolean', describe: 'print the version and exit' });

  let output = '';
  let failure: string | undefined;
  const parsed = await parser
    .fail((message, error) => {
      failure = message || error?.message;
    })
    .parseAsync(argv, {}, (_error, _argv, text) => {
      output = text;
    });
  if (failure !== undefined) return { kind: 'exit', code: 2, output: `${entry.entry}: ${failure} (see --help)`, stream: 'stderr' };
  if (parsed.help) return { kind: 'exit', code: 0, output, stream: 'stdout' };
  if (parsed.version) return { kind: 'exit', code: 0, output: packageVersion, stream: 'stdout' };
  if (parsed._.length > 0)
    return { kind: 'exit', code: 2, output: `${entry.entry}: unexpected argument "${parsed._[0]}" (see --help)`, stream: 'stderr' };

  try {
    const configPath = (parsed.config as string | undefined) ?? env.BOOKSHELF_CONFIG;
    const file = configPath ? readConfigFile(configPath) : undefined;
    const cli: Record<string, unknown> = {};
    for (const spec of specs) cli[spec.flag] = parsed[spec.flag];
    const config = resolveConfig(entry, { cli, env, ...(file && { file }) });
    if (parsed['print-config'])
      return { kind: 'exit', code: 0, output: JSON.stringify(printableConfig(config), null, 2), stream: 'stdout' };
    return { kind: 'run', config };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'exit', code: 2, output: `${entry.entry}: ${error.message}`, stream: 'stderr' };
    throw error;
  }
}
