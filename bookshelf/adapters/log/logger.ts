import { pino, type Logger, type LevelWithSilent } from 'pino';

export const logLevels: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The one root logger of a process; parts take `logger.child({ module })`. */
export function createLogger(options: { level: LevelWithSilent; name: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
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
