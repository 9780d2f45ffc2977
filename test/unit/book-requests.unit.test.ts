import { describe, expect, it } from 'vitest';
import { idempotencyKey, rateBookCommand, requestFingerprint } from '../../bookshelf/adapters/http/book-requests.js';

describe('a keyed request', () => {
  it('has one fingerprint however the keys of its body are ordered', () => {
    expect(requestFingerprint('POST', '/books', { title: 'Dune', author: [{ name: 'F' }] })).toBe(
      requestFingerprint('POST', '/books', { author: [{ name: 'F' }], title: 'Dune' }),
    );
  });

  it('has another for another method, route or body', () => {
    const first = requestFingerprint('POST', '/books', { title: 'Dune' });
    expect(requestFingerprint('POST', '/books', { title: 'Emma' })).not.toBe(first);
    expect(requestFingerprint('PUT', '/books', { title: 'Dune' })).not.toBe(first);
    expect(requestFingerprint('POST', '/books/x/started', { title: 'Dune' })).not.toBe(first);
  });

  it('takes a body nested deeper than any book as its text, without running out of stack', () => {
    const deep = JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as unknown;
    expect(requestFingerprint('POST', '/books/x/started', deep, '[[[')).toMatch(/^[\w-]{22}$/);
  });

  it('refuses a key that is empty, has spaces, or is too long', () => {
    expect(idempotencyKey(undefined)).toBeUndefined();
    expect(idempotencyKey('k'.repeat(255))).toBe('k'.repeat(255));
    for (const bad of ['', ' ', 'a b', 'k'.repeat(256), 'ünï', '\t']) expect(() => idempotencyKey(bad)).toThrow(/Idempotency-Key/);
  });
});

describe('a rating body', () => {
  it('is the rating alone: another field is refused, as the API description says', () => {
    expect(rateBookCommand('b1', { rating: 5 })).toEqual({ type: 'rate-book', data: { id: 'b1', rating: 5 } });
    expect(() => rateBookCommand('b1', { rating: 5, stars: 5 })).toThrow(/stars is not a field of a rating/);
  });
});
