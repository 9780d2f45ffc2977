import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { LogLevel } from '../../app/connections.js';

/** Every level the command line offers is one of pino's: a compile-time check. */
const pinoLevel = (level: LogLevel): LevelWithSilent => level;

/** The one root logger of a process; parts take `logger.child({ module })`. */
export function createLogger(options: { level: LogLevel; name: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: pinoLevel(options.level),
      name: options.name,
      base: { pid: process.pid },
      // Never log credentials, wherever they appear in a logged object.
      redact: {
        paths: ['token', '*.token', 'password', '*.password', 'sasl.password', 'authorization', '*.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
