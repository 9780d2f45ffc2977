import { pino, type Logger, type LevelWithSilent } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof logLevels)[number];

/** The one root logger of a process; parts take `logger.child({ module })`. */
export function createLogger(options: { level: LogLevel; name: string; destination?: NodeJS.WritableStream }): Logger {
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
