/** A registration with the local Consul agent of a service that is not there (port 1): its status and meta are the test's. */
import { createAgentApi } from '../../bookshelf/adapters/consul/agent-api.js';
import { createRegistration, type RegistrationOptions } from '../../bookshelf/adapters/consul/registration.js';
import { CONSUL } from './infra.js';
import { silentLogger } from './silent-logger.js';

export function testRegistration(name: string, options: Pick<RegistrationOptions, 'status' | 'meta' | 'statusEveryMs'>) {
  const [host, port] = [CONSUL.split(':')[0]!, Number(CONSUL.split(':')[1])];
  return createRegistration({
    agent: createAgentApi({ host, port, secure: false }),
    logger: silentLogger(),
    ...options,
    service: {
      name,
      id: `${name}-1`,
      tags: [],
      address: '127.0.0.1',
      port: 1,
      meta: {},
      check: { http: 'http://127.0.0.1:1/health', interval: '10s', timeout: '1s', deregisterAfter: '1m' },
    },
  });
}
