import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, type LogOrigin } from '../../bookshelf/domain/event-envelope.js';
import { bookAdded } from '../support/events.js';

const origin: LogOrigin = { topic: 'bookshelf', partition: 2, offset: '41', timestamp: String(Date.parse('2026-11-22T09:00:00.000Z')) };
const decode = (value: unknown) => decodeEvent(typeof value === 'string' ? value : JSON.stringify(value), origin);

describe('event envelope', () => {
  describe('a line pushed by hand with only name and payload', () => {
    it('gets its id from the log position and its time from the message timestamp', () => {
      expect(decode({ name: 'book-read', payload: { id: 'b1', title: 'Dune' } })).toEqual({
        kind: 'event',
        event: {
          type: 'book-read',
          data: { id: 'b1', title: 'Dune' },
          metadata: {
            eventId: 'bookshelf:2:41',
            created: '2026-11-22T09:00:00.000Z',
            aggregate: null,
            version: null,
            command: null,
            position: { partition: 2, offset: 41 },
          },
        },
      });
    });

    it('may name no book when it is a book-read', () => {
      const decoded = decode({ name: 'book-read', payload: { title: 'Dune' } });
      expect(decoded.kind === 'event' && decoded.event.data).toEqual({ title: 'Dune' });
    });

    it('reads a plain string author as one author and a numeric year as text', () => {
      const decoded = decode({ name: 'book-added', payload: { id: 'b1', title: '1984', author: 'George Orwell', year: 1949 } });
      expect(decoded.kind === 'event' && decoded.event.data).toEqual({
        id: 'b1',
        title: '1984',
        author: [{ name: 'George Orwell' }],
        year: '1949',
      });
    });
  });

  describe('a full envelope', () => {
    it('keeps every field the aggregate set, and encodes back to the same', () => {
      const event = bookAdded(
        'b-42',
        { title: '1984', author: [{ name: 'George Orwell' }] },
        { eventId: 'e-1', at: 0, aggregate: 'b-42', version: 1, command: 'k-1' },
      );
      const wire = encodeEvent(event);
      expect(JSON.parse(wire)).toMatchObject({
        id: 'e-1',
        name: 'book-added',
        aggregate: 'b-42',
        version: 1,
        command: 'k-1',
        safe: false,
        idempotent: false,
      });
      expect(decodeEvent(wire, origin)).toEqual({
        kind: 'event',
        event: { ...event, metadata: { ...event.metadata, position: { partition: 2, offset: 41 } } },
      });
    });
  });

  describe('bad input', () => {
    it.each([
      ['an empty value', '', 'not_json'],
      ['truncated JSON', '{"name":"book-read","pay', 'not_json'],
      ['a JSON array', '[1,2]', 'not_object'],
      ['a JSON string', '"book-read"', 'not_object'],
      ['null', 'null', 'not_object'],
      ['no name', { payload: { id: 'b1' } }, 'no_name'],
      ['a numeric name', { name: 7 }, 'no_name'],
      ['a non-string id', { id: 5, name: 'book-read', payload: {} }, 'invalid_envelope'],
      ['a created that is no date', { name: 'book-read', created: 'yesterday', payload: {} }, 'invalid_envelope'],
      ['a version of zero', { name: 'book-read', version: 0, payload: {} }, 'invalid_envelope'],
      ['a payload that is a string', { name: 'book-read', payload: 'b1' }, 'invalid_payload'],
      ['a book-added without title', { name: 'book-added', payload: { id: 'b1' } }, 'invalid_payload'],
      ['a book-added without id', { name: 'book-added', payload: { title: 'Dune' } }, 'invalid_payload'],
      ['a rating of 6', { name: 'book-rated', payload: { id: 'b1', rating: 6 } }, 'invalid_payload'],
      ['a rating of 2.5', { name: 'book-rated', payload: { id: 'b1', rating: 2.5 } }, 'invalid_payload'],
      ['a book-started without id', { name: 'book-started', payload: {} }, 'invalid_payload'],
      ['an author of the wrong shape', { name: 'book-read', payload: { id: 'b1', author: [{ nom: 'x' }] } }, 'invalid_payload'],
      ['a huge title', { name: 'book-read', payload: { id: 'b1', title: 'x'.repeat(5000) } }, 'invalid_payload'],
    ])('rejects %s', (_, value, reason) => {
      expect(decode(value)).toMatchObject({ kind: 'rejected', reason });
    });

    it('names the field at fault', () => {
      expect(decode({ name: 'book-rated', payload: { id: 'b1', rating: 'five' } })).toMatchObject({
        detail: 'payload.rating must be an integer from 1 to 5',
      });
    });

    it('ignores names it does not know, without rejecting them', () => {
      expect(decode({ name: 'book-borrowed', payload: {} })).toEqual({ kind: 'ignored', name: 'book-borrowed' });
    });
  });
});
