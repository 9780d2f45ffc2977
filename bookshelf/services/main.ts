/**
 * The process around a service: read the command line, make the one logger, start,
 * and stop cleanly on SIGINT or SIGTERM (exit 0 within 2 s).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { parseCommandLine } from '../adapters/cli/command-line.js';
import type { EntryDefaults, ServiceConfig } from '../adapters/cli/config.js';
import { createProcessLogger } from '../adapters/log/logger.js';
import type { RunningService, ServiceDeps } from './service-shell.js';

export type StartService = (config: ServiceConfig, deps: ServiceDeps) => Promise<RunningService>;

const STOP_DEADLINE_MS = 1800;

export async function runMain(defaults: EntryDefaults, start: StartService): Promise<void> {
  const commandLine = await parseCommandLine(defaults, process.argv.slice(2), process.env);
  if (commandLine.kind === 'exit') {
    (commandLine.stream === 'stdout' ? process.stdout : process.stderr).write(`${commandLine.output}\n`);
    process.exitCode = commandLine.code;
    return;
  }
  const { config } = commandLine;
  const log = createProcessLogger({ level: config.logLevel, name: config.name });
  const { logger } = log;
  watchProcess(logger);
  let exiting = false;
  /** Exits once the log is written out: the last lines reach stdout, and a stdout nobody reads does not hold the exit. */
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    void log.close().then(() => process.exit(code));
  };

  // Set before the start: a signal while starting stops the service as soon as it has started, or ends a wait for
  // --delay at once, never the default way (killed by the signal, leaving a registration behind).
  let service: RunningService | undefined;
  let stopping = false;
  const signalled = new AbortController();
  const stopService = (running: RunningService) =>
    running.stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        exit(0);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, ...(service === undefined && { starting: true }) }, 'stopping');
    const deadline = setTimeout(() => {
      if (exiting) return;
      logger.warn({ ms: STOP_DEADLINE_MS }, 'stop took too long, exiting');
      exit(0);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    signalled.abort();
    if (service) void stopService(service);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  if (config.delay > 0) {
    logger.info({ seconds: config.delay }, 'waiting before start');
    await delay(config.delay * 1000, undefined, { signal: signalled.signal }).catch(() => undefined);
    if (stopping) return exit(0);
  }

  try {
    service = await start(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.stderr.write(`${defaults.entry}: ${(error as Error).message}\n`);
    return exit(1);
  }
  if (stopping) void stopService(service);
}

/** A stray rejection (kafkajs has a few) is logged, not fatal: the service keeps serving. */
function watchProcess(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}
