/**
 * Topic lines for fuzzing the consumers: valid events of a planned shelf, interleaved with junk of every kind.
 * What each line must come to (applied, duplicate, ignored, or rejected and why) is known by construction,
 * and so is the resulting shelf: the expectation never asks the code under test.
 */
import { oddText, type Random } from '../fuzz-random.js';
import { eventText, junkLine, type FuzzLine, type RejectReason } from './topic-lines.js';
import {
  emptyRow,
  expectedViews,
  planBook,
  stepsOf,
  type EventStep,
  type ExpectedLastRead,
  type ExpectedRow,
  type Plan,
  type Step,
} from './topic-oracle.js';

export type { FuzzLine, RejectReason } from './topic-lines.js';
export type { ExpectedLastRead, ExpectedRow } from './topic-oracle.js';

export interface TopicFuzz {
  lines: FuzzLine[];
  expected: {
    applied: number;
    duplicates: number;
    ignored: number;
    rejected: Record<RejectReason, number>;
    /** list-books `GET /`, sorted by id. */
    books: ExpectedRow[];
    /** last-read `GET /` with `--size lastReadSize`. */
    lastRead: ExpectedLastRead[];
  };
}

const BASE_TIME = Date.parse('2030-01-01T00:00:00.000Z');

/** `count` lines over `books` planned books and some reads naming no book; the last line is a marker event. */
export function topicFuzz(
  random: Random,
  { count, books, lastReadSize }: { count: number; books: number; lastReadSize: number },
): TopicFuzz {
  const plans = Array.from({ length: books }, (_, i) => planBook(random, i));
  const queues: Step[][] = plans.map((plan) => stepsOf(random, plan));
  // Reads that name no book: last-read lists each as its own entry.
  for (let i = 0; i < Math.round(books / 20); i++) {
    const payload = random.chance(0.5) ? { title: oddText(random, 8) } : {};
    queues.push([{ kind: 'event', name: 'book-read', payload, timed: true, withId: random.chance(0.7) }]);
  }
  const marker: Plan = {
    id: 'fuzz-marker',
    payload: { id: 'fuzz-marker', title: 'the end' },
    row: emptyRow('fuzz-marker', 'the end'),
    started: false,
    reads: 0,
    removed: false,
  };
  let remainingSteps = queues.reduce((sum, queue) => sum + queue.length, 0);
  if (remainingSteps + 1 > count) throw new Error(`${count} lines cannot hold ${remainingSteps + 1} events`);

  const lines: FuzzLine[] = [];
  const rejected: Record<RejectReason, number> = { not_json: 0, not_object: 0, no_name: 0, invalid_envelope: 0, invalid_payload: 0 };
  const outcome = { applied: 0, duplicates: 0, ignored: 0 };
  const sent = new Map<EventStep, FuzzLine>();
  const views = expectedViews();
  let sampleText = JSON.stringify({ name: 'book-read', payload: { id: 's1' } });
  let clock = 0;
  let serial = 0;
  const active = queues.map((_, i) => i);
  const cursor = queues.map(() => 0);

  function emit(step: EventStep, key: string | null): void {
    const created = step.timed || random.chance(0.5) ? new Date(BASE_TIME + ++clock * 1000).toISOString() : undefined;
    const text = eventText(random, step.name, step.payload, {
      ...(step.withId && { id: `fz-${random.seed}-${++serial}` }),
      ...(created !== undefined && { created }),
    });
    const line = { key, value: text };
    sent.set(step, line);
    lines.push(line);
    outcome.applied++;
    if (random.chance(0.01) && text.length < 10_000) sampleText = text.trim();
    views.record(step, created);
  }

  for (let slot = 0; slot < count - 1; slot++) {
    if (remainingSteps > 0 && random.next() < remainingSteps / (count - 1 - slot)) {
      const at = random.int(0, active.length - 1);
      const q = active[at]!;
      const step = queues[q]![cursor[q]!++]!;
      if (cursor[q] === queues[q]!.length) active.splice(at, 1);
      remainingSteps--;
      if (step.kind === 'duplicate') {
        lines.push(sent.get(step.of)!);
        outcome.duplicates++;
      } else emit(step, step.plan?.id ?? (random.chance(0.5) ? null : `anonymous-${slot}`));
      continue;
    }
    const junk = junkLine(random, () => sampleText);
    lines.push({ key: random.pick([null, 'j1', plans[random.int(0, plans.length - 1)]!.id]), value: junk.value });
    if (junk.outcome === 'ignored') outcome.ignored++;
    else rejected[junk.outcome]++;
  }
  emit({ kind: 'event', name: 'book-added', payload: marker.payload, timed: true, withId: true, plan: marker }, marker.id);
  plans.push(marker);

  return { lines, expected: { ...outcome, rejected, ...views.final(plans, lastReadSize) } };
}
