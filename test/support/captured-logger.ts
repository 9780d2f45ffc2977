/** The process logger as services make it (same redaction), writing every line at trace level into memory. */
import { Writable } from 'node:stream';
import { createLogger } from '../../bookshelf/adapters/log/logger.js';

export function capturedLogger(name = 'test') {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'trace', name, destination });
  return {
    logger,
    /** Everything logged so far, as written. */
    text: (): string => chunks.join(''),
    lines: (): Record<string, unknown>[] =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
