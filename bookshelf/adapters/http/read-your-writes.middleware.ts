import type { Middleware } from 'koa';
import { parsePosition, type LogPosition } from '../../app/log-position.js';
import { ProblemError } from './problem.js';

export const POSITION_HEADER = 'X-Bookshelf-Position';
const DEFAULT_WAIT_MS = 2000;
const MAX_WAIT_MS = 10_000;

export interface PositionSource {
  waitFor(position: LogPosition, timeoutMs: number): Promise<boolean>;
  /** The token of what has been applied so far ('' before anything was). */
  appliedPosition(): string;
}

function readWait(raw: unknown): number {
  if (raw === undefined) return DEFAULT_WAIT_MS;
  const wait = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(wait) || wait < 0) {
    throw new ProblemError('invalid_query', 'wait must be a whole number of milliseconds', { field: 'wait' });
  }
  return Math.min(wait, MAX_WAIT_MS);
}

/**
 * Read your writes: given a position (header or `?position=`), answer only once it is applied,
 * waiting up to `?wait=` ms. Every answer says which position it reflects.
 */
export function readYourWrites(source: PositionSource): Middleware {
  return async (ctx, next) => {
    const token = ctx.get(POSITION_HEADER) || (typeof ctx.query.position === 'string' ? ctx.query.position : '');
    if (token !== '') {
      let position: LogPosition;
      try {
        position = parsePosition(token);
      } catch (error) {
        throw new ProblemError('invalid_position', (error as Error).message, { field: 'position' });
      }
      const wait = readWait(ctx.query.wait);
      if (!(await source.waitFor(position, wait))) {
        throw new ProblemError('not_caught_up', `position ${token} not applied after ${wait} ms`, { retryAfter: 1 });
      }
    }
    const applied = source.appliedPosition();
    if (applied !== '') ctx.set(POSITION_HEADER, applied);
    await next();
  };
}
