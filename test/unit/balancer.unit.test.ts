import { describe, expect, it } from 'vitest';
import { createBalancer, type Endpoint } from '../../bookshelf/app/balancer.js';

function setup(instances: Endpoint[]) {
  let clock = 0;
  const balancer = createBalancer({ healthy: () => instances, ejectForMs: 15_000, now: () => clock });
  return { balancer, advance: (ms: number) => (clock += ms) };
}

const a = { id: 'a', address: '127.0.0.1', port: 1, revision: '10.11' };
const b = { id: 'b', address: '127.0.0.1', port: 2, revision: '20.21' };

describe('the balancer', () => {
  it('takes passing instances in turn', () => {
    const { balancer } = setup([a, b]);
    expect(balancer.candidates('s').map((i) => i.id)).toEqual(['a', 'b']);
    expect(balancer.candidates('s').map((i) => i.id)).toEqual(['b', 'a']);
  });

  describe('when an instance was ejected', () => {
    it('leaves it out for 15 s while Consul shows nothing new of it', () => {
      const { balancer, advance } = setup([a, b]);
      balancer.eject(a);
      expect(balancer.candidates('s').map((i) => i.id)).toEqual(['b']);
      advance(14_999);
      expect(balancer.candidates('s').map((i) => i.id)).toEqual(['b']);
      advance(1);
      expect(balancer.candidates('s').map((i) => i.id)).toContain('a');
    });

    it('takes it back at once when Consul shows it registered or checked anew', () => {
      const instances = [a, b];
      const { balancer } = setup(instances);
      balancer.eject(a);
      expect(balancer.candidates('s').map((i) => i.id)).toEqual(['b']);
      instances[0] = { ...a, revision: '10.57' };
      expect(balancer.candidates('s').map((i) => i.id)).toContain('a');
      expect(balancer.isEjected('a')).toBe(false);
    });
  });
});
