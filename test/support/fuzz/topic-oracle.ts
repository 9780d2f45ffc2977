/**
 * The planned shelf behind a topic fuzz: each book, its events in partition order, and the rows and last reads the
 * views must end with, known by construction: the expectation never asks the code under test.
 */
import type { LastReadEntry } from '../../../bookshelf/domain/projections/last-read.projection.js';
import { oddText, type Random } from '../fuzz-random.js';

interface Author {
  name: string;
}

export interface ExpectedRow {
  id: string;
  title: string | null;
  author: Author[] | null;
  type: string | null;
  year: string | null;
  isbn: string | null;
  status: 'unread' | 'reading' | 'read';
  rating: number | null;
  readCount: number;
  addedAt: string | null;
  startedAt: string | null;
  readAt: string | null;
}

/** What last-read shows of a book: the view's own answer type, filled in here independently of it. */
export type ExpectedLastRead = LastReadEntry;

/** A book as planned: what it is, what happens to it, and the row list-books must end with. */
export interface Plan {
  id: string;
  payload: Record<string, unknown>;
  row: ExpectedRow;
  started: boolean;
  reads: number;
  rating?: number;
  removed: boolean;
}

export interface EventStep {
  kind: 'event';
  name: string;
  payload: Record<string, unknown>;
  /** Carries a `created` the views keep (added, started, read). */
  timed: boolean;
  /** Carries an `id`: always when a copy follows, since a line without one is identified by its position. */
  withId: boolean;
  plan?: Plan;
}
export type Step = EventStep | { kind: 'duplicate'; of: EventStep };

/** Ids as hand-pushed lines may carry them: any non-empty text up to 200 characters. */
function bookId(random: Random, index: number): string {
  const odd = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a b', 'ünïcödé', '漢字', '../..', '%2F', 'x'.repeat(200)];
  if (index < odd.length) return odd[index]!;
  return `b${index}-${random.text(random.int(1, 12), 'abcdefghijklmnopqrstuvwxyz0123456789._~:-')}`;
}

export const emptyRow = (id: string, title: string): ExpectedRow => ({
  id,
  title,
  author: null,
  type: null,
  year: null,
  isbn: null,
  status: 'unread',
  rating: null,
  readCount: 0,
  addedAt: null,
  startedAt: null,
  readAt: null,
});

export function planBook(random: Random, index: number): Plan {
  const id = bookId(random, index);
  const title = random.chance(0.01) ? 't'.repeat(1000) : random.chance(0.01) ? '' : oddText(random, random.int(1, 40));
  const payload: Record<string, unknown> = { id, title };
  const row = emptyRow(id, title);
  const authorForm = random.int(0, 4);
  if (authorForm === 1) {
    const name = oddText(random, random.int(1, 20));
    payload.author = name;
    row.author = [{ name }];
  } else if (authorForm === 2) {
    const names = Array.from({ length: random.int(0, 3) }, () => oddText(random, random.int(1, 20)));
    payload.author = names.map((name) => (random.chance(0.2) ? { name, born: 1900 } : { name }));
    row.author = names.map((name) => ({ name }));
  } else if (authorForm === 3) payload.author = null;
  if (random.chance(0.3)) {
    const year = random.int(-500, 2030);
    payload.year = random.chance(0.5) ? year : String(year);
    row.year = String(year);
  }
  if (random.chance(0.3)) payload.type = row.type = random.pick(['novel', 'poetry', 'essay']);
  else if (random.chance(0.1)) payload.type = null;
  if (random.chance(0.2)) payload.isbn = row.isbn = random.text(13, '0123456789');
  return {
    id,
    payload,
    row,
    started: random.chance(0.5),
    reads: random.weighted([
      [4, 0],
      [4, 1],
      [1, 2],
      [1, 3],
    ]),
    ...(random.chance(0.3) && { rating: random.int(1, 5) }),
    removed: random.chance(0.1),
  };
}

/** The steps of one book, in the order they must reach its partition. */
export function stepsOf(random: Random, plan: Plan): Step[] {
  const event = (name: string, payload: Record<string, unknown>, timed: boolean): EventStep => ({
    kind: 'event',
    name,
    payload,
    timed,
    withId: random.chance(0.7),
    plan,
  });
  const events: EventStep[] = [event('book-added', plan.payload, true)];
  if (plan.started) events.push(event('book-started', { id: plan.id }, true));
  for (let i = 0; i < plan.reads; i++) events.push(event('book-read', { id: plan.id }, true));
  // A rating or a removal keeps no time: these may come as bare hand-pushed lines.
  if (plan.rating !== undefined) events.push(event('book-rated', { id: plan.id, rating: plan.rating }, false));
  if (plan.removed) events.push(event('book-removed', { id: plan.id }, false));
  const steps: Step[] = [...events];
  // A line pushed twice comes after its first copy, on the same partition (same key).
  for (const original of events) {
    if (!random.chance(0.02)) continue;
    original.withId = true;
    steps.splice(random.int(steps.indexOf(original) + 1, steps.length), 0, { kind: 'duplicate', of: original });
  }
  return steps;
}

/** The views' end state, fed each applied event in the order it reaches its partition. */
export function expectedViews() {
  const anonymousReads: ExpectedLastRead[] = [];
  const lastReads = new Map<string, ExpectedLastRead>();
  return {
    /** What one applied event does to the expected views. */
    record(step: EventStep, created: string | undefined): void {
      const plan = step.plan;
      if (plan === undefined) {
        anonymousReads.push({ id: null, ...(step.payload as { title?: string }), readAt: created! });
        return;
      }
      const row = plan.row;
      if (step.name === 'book-added') row.addedAt = created!;
      else if (step.name === 'book-started') {
        row.status = 'reading';
        row.startedAt = created!;
      } else if (step.name === 'book-read') {
        row.status = 'read';
        row.readCount++;
        row.readAt = created!;
        lastReads.set(plan.id, {
          id: plan.id,
          ...(row.title !== null && { title: row.title }),
          ...(row.author !== null && { author: row.author }),
          ...(row.type !== null && { type: row.type }),
          ...(row.year !== null && { year: row.year }),
          readAt: created!,
        });
      } else if (step.name === 'book-rated') row.rating = plan.rating!;
    },

    /** list-books `GET /` sorted by id, and last-read `GET /` with `--size lastReadSize`. */
    final(plans: Plan[], lastReadSize: number): { books: ExpectedRow[]; lastRead: ExpectedLastRead[] } {
      const rows = plans.filter((plan) => !plan.removed).map((plan) => plan.row);
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const removed = new Set(plans.filter((plan) => plan.removed).map((plan) => plan.id));
      const reads = [...[...lastReads.values()].filter((read) => !removed.has(read.id!)), ...anonymousReads];
      reads.sort((a, b) => Date.parse(b.readAt) - Date.parse(a.readAt));
      return { books: rows, lastRead: reads.slice(0, lastReadSize) };
    },
  };
}
