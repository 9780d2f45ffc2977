/**
 * One full garbage collection, asked for outright. After a long replay the old generation holds the garbage of every
 * event applied, and V8 collects it only once the heap grows again, which a caught-up view may not do for hours.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Collects and returns how long it took, in ms. */
export function collectGarbage(): number {
  // A context made after the flag is set has `gc`: no node flag for the user to type.
  gc ??= (globalThis as { gc?: () => void }).gc ?? (setFlagsFromString('--expose-gc'), runInNewContext('gc') as () => void);
  const started = performance.now();
  gc();
  return performance.now() - started;
}
