import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { LogLevel } from '../../app/connections.js';

/** Every level the command line offers is one of pino's: a compile-time check. */
const pinoLevel = (level: LogLevel): LevelWithSilent => level;

/** How long an exit waits for the last log lines to be written. */
const CLOSE_WAIT_MS = 150;

const options = (level: LogLevel, name: string) => ({
  level: pinoLevel(level),
  name,
  base: { pid: process.pid },
  // Never log credentials, wherever they appear in a logged object.
  redact: {
    paths: ['token', '*.token', 'password', '*.password', 'sasl.password', 'authorization', '*.authorization', 'headers.authorization'],
    censor: '[redacted]',
  },
});

/** The one root logger of a process; parts take `logger.child({ module })`. */
export function createLogger({ level, name, destination }: { level: LogLevel; name: string; destination: NodeJS.WritableStream }): Logger {
  return pino(options(level, name), destination);
}

/**
 * The root logger of a service process, writing to stdout, and `close()`, which resolves once what was logged is
 * written (or cannot be). Exit after it: pino otherwise writes what is left synchronously as the process exits, and
 * that write is retried forever when nobody reads stdout any more (a closed pipe), so the process never ends.
 */
export function createProcessLogger({ level, name }: { level: LogLevel; name: string }): { logger: Logger; close: () => Promise<void> } {
  const stdout = pino.destination({ sync: false });
  return {
    logger: pino(options(level, name), stdout),
    close: () =>
      new Promise((resolve) => {
        const done = () => resolve();
        // Closed once written, or refused (EPIPE: pino then stops writing, also at exit).
        stdout.once('close', done);
        stdout.once('error', done);
        setTimeout(done, CLOSE_WAIT_MS).unref();
        stdout.end();
      }),
  };
}
