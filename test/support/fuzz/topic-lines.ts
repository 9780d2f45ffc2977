/** Topic lines for fuzzing the consumers: valid events in any shape the contract accepts, and junk of every kind with what it must come to. */
import { deepArray, deepObject, oddText, type Random } from '../fuzz-random.js';

export type RejectReason = 'not_json' | 'not_object' | 'no_name' | 'invalid_envelope' | 'invalid_payload';
export type Outcome = RejectReason | 'ignored';

export interface FuzzLine {
  key: string | null;
  /** Text, raw bytes (invalid UTF-8 included) or a tombstone. */
  value: string | Buffer | null;
}

/** Splices raw JSON text in as the last member of the object `json`. */
const withMember = (json: string, name: string, raw: string): string => `${json.slice(0, -1)},${JSON.stringify(name)}:${raw}}`;

/** The JSON text of a valid event, in any of the shapes the contract accepts. */
export function eventText(random: Random, name: string, payload: Record<string, unknown>, meta: { id?: string; created?: string }): string {
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
export function junkLine(random: Random, sample: () => string): { value: string | Buffer | null; outcome: Outcome } {
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
