/**
 * Topic lines for fuzzing the consumers: valid events of a planned shelf, interleaved with junk of every kind.
 * What each line must come to (applied, duplicate, ignored, or rejected and why) is known by construction,
 * and so is the resulting shelf: the expectation never asks the code under test.
 */
import type { LastReadEntry } from '../../bookshelf/domain/projections/last-read.projection.js';
import { deepArray, deepObject, oddText, type Random } from './fuzz-random.js';

export type RejectReason = 'not_json' | 'not_object' | 'no_name' | 'invalid_envelope' | 'invalid_payload';
type Outcome = RejectReason | 'ignored';

export interface FuzzLine {
  key: string | null;
  /** Text, raw bytes (invalid UTF-8 included) or a tombstone. */
  value: string | Buffer | null;
}

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

/** A book as planned: what it is, what happens to it, and the row list-books must end with. */
interface Plan {
  id: string;
  payload: Record<string, unknown>;
  row: ExpectedRow;
  started: boolean;
  reads: number;
  rating?: number;
  removed: boolean;
}

interface EventStep {
  kind: 'event';
  name: string;
  payload: Record<string, unknown>;
  /** Carries a `created` the views keep (added, started, read). */
  timed: boolean;
  /** Carries an `id`: always when a copy follows, since a line without one is identified by its position. */
  withId: boolean;
  plan?: Plan;
}
type Step = EventStep | { kind: 'duplicate'; of: EventStep };

const BASE_TIME = Date.parse('2030-01-01T00:00:00.000Z');

/** Ids as hand-pushed lines may carry them: any non-empty text up to 200 characters. */
function bookId(random: Random, index: number): string {
  const odd = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a b', 'ünïcödé', '漢字', '../..', '%2F', 'x'.repeat(200)];
  if (index < odd.length) return odd[index]!;
  return `b${index}-${random.text(random.int(1, 12), 'abcdefghijklmnopqrstuvwxyz0123456789._~:-')}`;
}

const emptyRow = (id: string, title: string): ExpectedRow => ({
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

function planBook(random: Random, index: number): Plan {
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
function stepsOf(random: Random, plan: Plan): Step[] {
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

/** Splices raw JSON text in as the last member of the object `json`. */
const withMember = (json: string, name: string, raw: string): string => `${json.slice(0, -1)},${JSON.stringify(name)}:${raw}}`;

/** The JSON text of a valid event, in any of the shapes the contract accepts. */
function eventText(random: Random, name: string, payload: Record<string, unknown>, meta: { id?: string; created?: string }): string {
  const envelope: Record<string, unknown> = {};
  if (meta.id !== undefined) envelope.id = meta.id;
  envelope.name = name;
  if (meta.created !== undefined) envelope.created = meta.created;
  if (random.chance(0.5))
    Object.assign(envelope, {
      safe: random.pick([false, 'maybe', 7]),
      idempotent: random.pick([false, null, {}]),
      aggregate: random.pick([null, typeof payload.id === 'string' ? payload.id : 'x']),
      version: random.pick([null, 1, 42]),
      command: random.pick([null, 'key-1']),
    });
  if (random.chance(0.05)) envelope['x-extra'] = { nested: [1, { deeper: oddText(random, 5) }] };
  let payloadValue: Record<string, unknown> = payload;
  if (random.chance(0.02))
    payloadValue = {
      ...(JSON.parse('{"__proto__":{"title":"not mine","rating":0}}') as Record<string, unknown>),
      ...payload,
      constructor: 'x',
    };
  else if (random.chance(0.05)) payloadValue = { ...payload, note: oddText(random, 10), tags: ['a', 'b'] };
  envelope.payload = payloadValue;
  let text = JSON.stringify(envelope);
  if (name === 'book-rated' && random.chance(0.2))
    text = text.replace(`"rating":${payload.rating as number}`, `"rating":${payload.rating as number}.0`);
  if (random.chance(0.002)) text = withMember(text, 'junk', JSON.stringify('j'.repeat(random.int(20_000, 200_000))));
  if (random.chance(0.003))
    text = withMember(text, 'nest', random.chance(0.5) ? deepArray(random.int(100, 5000)) : deepObject(random.int(100, 5000)));
  if (random.chance(0.05)) text = `${random.pick([' ', '\n', '\t', '\r\n'])}${text}${random.pick([' ', '\n', ''])}`;
  return text;
}

const knownNames = ['book-added', 'book-started', 'book-read', 'book-rated', 'book-removed'];
const okPayload = (name: string): Record<string, unknown> =>
  name === 'book-added' ? { id: 'j1', title: 'Junk' } : name === 'book-rated' ? { id: 'j1', rating: 3 } : { id: 'j1' };

/** A line that must be rejected for `reason`, or ignored. */
function junkLine(random: Random, sample: () => string): { value: string | Buffer | null; outcome: Outcome } {
  const kind = random.weighted<string>([
    [15, 'bytes'],
    [2, 'empty'],
    [15, 'truncated'],
    [10, 'not-object'],
    [1, 'deep'],
    [10, 'no-name'],
    [10, 'unknown-name'],
    [10, 'bad-envelope'],
    [20, 'bad-payload'],
    [0.05, 'huge'],
  ]);
  switch (kind) {
    case 'bytes': {
      // A first character no JSON text starts with, then anything (invalid UTF-8 included).
      const first = Buffer.from([random.pick([0x23, 0x21, 0x3c, 0x78, 0x00, 0x7f, 0xff, 0xfe, 0x29, 0x5d, 0x7d])]);
      return { value: Buffer.concat([first, random.bytes(random.int(0, 300))]), outcome: 'not_json' };
    }
    case 'empty':
      return { value: random.pick(['', null]), outcome: 'not_json' };
    case 'truncated': {
      // No strict prefix of a JSON object is JSON: its closing brace is the last character.
      const text = sample();
      return { value: text.slice(0, random.int(1, text.length - 1)), outcome: 'not_json' };
    }
    case 'not-object':
      return {
        value: random.pick([
          String(random.int(-1e6, 1e6)),
          ' 3.14 ',
          'true',
          'false',
          'null',
          JSON.stringify(oddText(random, 10)),
          JSON.stringify(sample()),
          `[${sample()}]`,
          '[]',
          '"{\\"name\\":\\"book-added\\"}"',
          '1e400',
        ]),
        outcome: 'not_object',
      };
    case 'deep':
      return { value: deepArray(random.int(500, 10_000), random.pick(['', '1', '{"name":"book-read"}'])), outcome: 'not_object' };
    case 'no-name': {
      const name = random.pick<unknown>([undefined, 5, null, {}, [], true, '', ['book-added']]);
      const object: Record<string, unknown> = { payload: { id: 'n1', title: 'No name' } };
      if (name !== undefined) object.name = name;
      if (random.chance(0.3)) object.type = 'book-added';
      return { value: JSON.stringify(object), outcome: 'no_name' };
    }
    case 'unknown-name': {
      const name = random.pick([
        'book-borrowed',
        'BOOK-ADDED',
        'book-added ',
        ' book-read',
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        oddText(random, 12),
        'n'.repeat(5000),
      ]);
      const payload = random.pick<unknown>([{ id: 'u1' }, 'not an object', null, [1, 2]]);
      return { value: JSON.stringify({ name, payload, created: random.pick(['not a date', '2030-01-01T00:00:00Z']) }), outcome: 'ignored' };
    }
    case 'bad-envelope': {
      const name = random.pick(knownNames);
      const [field, value] = random.pick<[string, unknown]>([
        ['id', 5],
        ['id', ''],
        ['id', {}],
        ['id', []],
        ['id', true],
        ['created', 'yesterday'],
        ['created', 5],
        ['created', ''],
        ['created', '2030-13-45T00:00:00Z'],
        ['created', '2030-01-01T25:00:00Z'],
        ['created', '01/02/2030'],
        ['created', {}],
        ['aggregate', 5],
        ['aggregate', {}],
        ['aggregate', true],
        ['version', 0],
        ['version', -1],
        ['version', 1.5],
        ['version', '1'],
        ['version', {}],
        ['command', 5],
        ['command', []],
      ]);
      return { value: JSON.stringify({ name, [field]: value, payload: okPayload(name) }), outcome: 'invalid_envelope' };
    }
    case 'bad-payload': {
      const name = random.pick(knownNames);
      const bad: Record<string, unknown[]> = {
        'book-added': [
          {},
          { title: 'No id' },
          { id: '', title: 'Empty id' },
          { id: 5, title: 'Number id' },
          { id: 'i'.repeat(201), title: 'Long id' },
          { id: 'a1' },
          { id: 'a1', title: null },
          { id: 'a1', title: 5 },
          { id: 'a1', title: 't'.repeat(1001) },
          { id: 'a1', title: ['t'] },
          { id: 'a1', title: 'T', author: 5 },
          { id: 'a1', title: 'T', author: [5] },
          { id: 'a1', title: 'T', author: [{ name: 5 }] },
          { id: 'a1', title: 'T', author: [{}] },
          { id: 'a1', title: 'T', author: Array.from({ length: 101 }, (_, i) => ({ name: `a${i}` })) },
          { id: 'a1', title: 'T', author: 'a'.repeat(1001) },
          { id: 'a1', title: 'T', type: 5 },
          { id: 'a1', title: 'T', year: 1.5 },
          { id: 'a1', title: 'T', year: {} },
          { id: 'a1', title: 'T', year: true },
          { id: 'a1', title: 'T', isbn: 9780000000000 },
        ],
        'book-started': [{}, { id: '' }, { id: 5 }, { id: null }, { id: 'i'.repeat(201) }, { id: ['a'] }],
        'book-read': [{ id: '' }, { id: 5 }, { id: {} }, { title: 5 }, { id: 'r1', author: [1] }, { year: 2.5 }],
        'book-rated': [
          { id: 'r1' },
          { id: 'r1', rating: 0 },
          { id: 'r1', rating: 6 },
          { id: 'r1', rating: 2.5 },
          { id: 'r1', rating: '5' },
          { id: 'r1', rating: null },
          { rating: 3 },
          { id: 5, rating: 3 },
        ],
        'book-removed': [{}, { id: '' }, { id: 7 }, { id: false }],
      };
      const payload = random.chance(0.15) ? random.pick<unknown>([[], 'text', 5, true, null, [{ id: 'a1' }]]) : random.pick(bad[name]!);
      return { value: JSON.stringify({ name, payload }), outcome: 'invalid_payload' };
    }
    default: {
      const size = random.int(50_000, 250_000);
      return random.pick<{ value: string; outcome: Outcome }>([
        { value: `#${'h'.repeat(size)}`, outcome: 'not_json' },
        { value: JSON.stringify({ name: 'book-added', payload: { id: 'h1', title: 'h'.repeat(size) } }), outcome: 'invalid_payload' },
        { value: JSON.stringify({ name: 'n'.repeat(size), payload: {} }), outcome: 'ignored' },
        { value: `[${'1,'.repeat(size / 2)}1]`, outcome: 'not_object' },
      ]);
    }
  }
}

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
  const anonymousReads: ExpectedLastRead[] = [];
  const lastReads = new Map<string, ExpectedLastRead>();
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
    record(step, created);
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

  const rows = plans.filter((plan) => !plan.removed).map((plan) => plan.row);
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const removed = new Set(plans.filter((plan) => plan.removed).map((plan) => plan.id));
  const reads = [...[...lastReads.values()].filter((read) => !removed.has(read.id!)), ...anonymousReads];
  reads.sort((a, b) => Date.parse(b.readAt) - Date.parse(a.readAt));
  return { lines, expected: { ...outcome, rejected, books: rows, lastRead: reads.slice(0, lastReadSize) } };

  /** What one applied event does to the expected views. */
  function record(step: EventStep, created: string | undefined): void {
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
  }
}
