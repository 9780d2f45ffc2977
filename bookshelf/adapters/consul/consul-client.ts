import Consul from 'consul';

export interface ConsulAddress {
  host: string;
  port: number;
  secure: boolean;
  token?: string;
}

export function createConsulClient({ host, port, secure, token }: ConsulAddress): Consul {
  return new Consul({ host, port, secure, ...(token !== undefined && { defaults: { token } }) });
}
