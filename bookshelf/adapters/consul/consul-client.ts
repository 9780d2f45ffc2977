import Consul from 'consul';
import type { ConsulAddress } from '../../app/connections.js';

export function createConsulClient({ host, port, secure, token }: ConsulAddress): Consul {
  return new Consul({ host, port, secure, ...(token !== undefined && { defaults: { token } }) });
}
