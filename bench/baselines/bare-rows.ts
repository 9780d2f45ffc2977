/**
 * The P5 baseline: the same books held in the plainest way — each event parsed, its payload kept
 * in a Map by id — measured after a full collection. Prints bytes of RSS growth per book.
 *   node --expose-gc dist-bench/bench/baselines/bare-rows.js <count>
 */
import { shelfLine } from '../support/book-events.js';

const count = Number(process.argv[2] ?? 1_000_000);
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with --expose-gc');
collect();
const before = process.memoryUsage().rss;
const books = new Map<string, unknown>();
for (let i = 0; i < count; i++) {
  const line = shelfLine(i);
  const event = JSON.parse(line.slice(line.indexOf('\t') + 1)) as { created: string; payload: { id: string } };
  books.set(event.payload.id, { ...event.payload, addedAt: event.created });
}
collect();
process.stdout.write(`${(process.memoryUsage().rss - before) / books.size}\n`);
