import { describe, expect, it } from 'vitest';
import { passingInConsul, type ConsulCheck } from '../../bookshelf/adapters/consul/discovery.js';

const check = (ServiceID: string, Status: string, Node = 'node-a'): ConsulCheck => ({ Node, ServiceID, Status });

describe('an instance among all of Consul’s checks', () => {
  it('is passing when its checks and its node’s are', () => {
    expect(passingInConsul([check('', 'passing'), check('books-1', 'passing')], 'books-1')).toBe(true);
  });

  it('is not while any check of its own is not', () => {
    expect(passingInConsul([check('', 'passing'), check('books-1', 'passing'), check('books-1', 'warning')], 'books-1')).toBe(false);
  });

  it('is not while its node’s check is not, whatever other nodes say', () => {
    const checks = [check('', 'critical'), check('', 'passing', 'node-b'), check('books-1', 'passing')];
    expect(passingInConsul(checks, 'books-1')).toBe(false);
    expect(passingInConsul([check('', 'critical', 'node-b'), check('', 'passing'), check('books-1', 'passing')], 'books-1')).toBe(true);
  });

  it('is not without a check of its own, as for a moment while its check is replaced', () => {
    expect(passingInConsul([check('', 'passing'), check('books-2', 'passing')], 'books-1')).toBe(false);
  });
});
