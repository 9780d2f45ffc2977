/**
 * The wire format of an event: one JSON object per Kafka message value.
 * Decoding is total: every input gives an event, an ignored name, or a rejection with a reason.
 */
import { checkBookDetails, checkId, checkRating, isPlainObject, type Checked } from './book-fields.js';
import type { BookAdded, BookEvent, BookEventType, BookRead, EventMetadata, RecordedEvent } from './events.js';
import { assertNever, bookEventTypes } from './events.js';
import { isoMillis } from './iso-time.js';

export interface WireEnvelope {
  id: string;
  name: BookEventType;
  created: string;
  safe: boolean;
  idempotent: boolean;
  aggregate: string | null;
  version: number | null;
  command: string | null;
  /** Only with a command key: the digest of the request that carried it. */
  fingerprint?: string;
  payload: BookEvent['data'];
}

/** Where a message came from, to fill in what a hand-pushed line leaves out. */
export interface LogOrigin {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka message timestamp, milliseconds since the epoch. */
  timestamp: string;
}

export type RejectReason = 'not_json' | 'not_object' | 'no_name' | 'invalid_envelope' | 'invalid_payload';

export type Decoded =
  { kind: 'event'; event: RecordedEvent } | { kind: 'ignored'; name: string } | { kind: 'rejected'; reason: RejectReason; detail: string };

const knownNames = new Set<string>(bookEventTypes);

const reject = (reason: RejectReason, detail: string): Decoded => ({ kind: 'rejected', reason, detail });

export function decodeEvent(value: string | null, origin: LogOrigin): Decoded {
  if (value === null || value.length === 0) return reject('not_json', 'empty message value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return reject('not_json', (error as Error).message);
  }
  if (!isPlainObject(parsed)) return reject('not_object', `value is ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  const name = parsed.name;
  if (typeof name !== 'string' || name.length === 0) return reject('no_name', 'field "name" must be a non-empty string');
  if (!knownNames.has(name)) return { kind: 'ignored', name };

  const metadata = readMetadata(parsed, origin);
  if (!metadata.ok) return reject('invalid_envelope', `${metadata.field} ${metadata.problem}`);
  const payload = parsed.payload === undefined ? {} : parsed.payload;
  if (!isPlainObject(payload)) return reject('invalid_payload', 'payload must be an object');
  const data = readPayload(name as BookEventType, payload);
  if (!data.ok) return reject('invalid_payload', `payload.${data.field} ${data.problem}`);
  return { kind: 'event', event: { type: data.value.type, data: data.value.data, metadata: metadata.value } as RecordedEvent };
}

function readMetadata(envelope: Record<string, unknown>, origin: LogOrigin): Checked<EventMetadata> {
  const { id, created, aggregate, version, command, fingerprint } = envelope;
  if (id != null && (typeof id !== 'string' || id.length === 0)) return { ok: false, field: 'id', problem: 'must be a non-empty string' };
  if (created != null && (typeof created !== 'string' || Number.isNaN(isoMillis(created)))) {
    return { ok: false, field: 'created', problem: 'must be an ISO-8601 date' };
  }
  if (aggregate != null && typeof aggregate !== 'string') return { ok: false, field: 'aggregate', problem: 'must be a string' };
  if (version != null && (typeof version !== 'number' || !Number.isInteger(version) || version < 1)) {
    return { ok: false, field: 'version', problem: 'must be a positive integer' };
  }
  if (command != null && typeof command !== 'string') return { ok: false, field: 'command', problem: 'must be a string' };
  if (fingerprint != null && typeof fingerprint !== 'string') return { ok: false, field: 'fingerprint', problem: 'must be a string' };
  return {
    ok: true,
    value: {
      eventId: (id as string | undefined) ?? `${origin.topic}:${origin.partition}:${origin.offset}`,
      created: (created as string | undefined) ?? timestampToIso(origin.timestamp),
      aggregate: (aggregate as string | undefined) ?? null,
      version: (version as number | undefined) ?? null,
      command: (command as string | undefined) ?? null,
      ...(typeof fingerprint === 'string' && { fingerprint }),
      position: { partition: origin.partition, offset: Number(origin.offset) },
    },
  };
}

function timestampToIso(timestamp: string): string {
  const ms = Number(timestamp);
  return Number.isFinite(ms) && ms >= 0 ? new Date(ms).toISOString() : new Date(0).toISOString();
}

function readPayload(name: BookEventType, payload: Record<string, unknown>): Checked<BookEvent> {
  switch (name) {
    case 'book-added': {
      const id = checkId(payload.id);
      if (!id.ok) return id;
      if (payload.title == null) return { ok: false, field: 'title', problem: 'is required' };
      const details = checkBookDetails(payload);
      if (!details.ok) return details;
      // The details are a fresh object of our own: completed in place rather than copied.
      const data = details.value as BookAdded['data'];
      data.id = id.value;
      return { ok: true, value: { type: name, data } };
    }
    case 'book-read': {
      const details = checkBookDetails(payload);
      if (!details.ok) return details;
      if (payload.id == null) return { ok: true, value: { type: name, data: details.value } };
      const id = checkId(payload.id);
      if (!id.ok) return id;
      const data: BookRead['data'] = details.value;
      data.id = id.value;
      return { ok: true, value: { type: name, data } };
    }
    case 'book-rated': {
      const id = checkId(payload.id);
      if (!id.ok) return id;
      const rating = checkRating(payload.rating);
      if (!rating.ok) return rating;
      return { ok: true, value: { type: name, data: { id: id.value, rating: rating.value } } };
    }
    case 'book-started':
    case 'book-removed': {
      const id = checkId(payload.id);
      if (!id.ok) return id;
      return { ok: true, value: { type: name, data: { id: id.value } } };
    }
    default:
      return assertNever(name);
  }
}

/** The wire form of a recorded event, as the aggregate appends it. */
export function encodeEvent(event: RecordedEvent): string {
  const { metadata } = event;
  // position is where the log put it, never part of the value.
  const envelope: WireEnvelope = {
    id: metadata.eventId,
    name: event.type,
    created: metadata.created,
    safe: false,
    idempotent: false,
    aggregate: metadata.aggregate,
    version: metadata.version,
    command: metadata.command,
    ...(metadata.fingerprint != null && { fingerprint: metadata.fingerprint }),
    payload: event.data,
  };
  return JSON.stringify(envelope);
}
