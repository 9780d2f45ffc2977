/** SRV look-ups through Consul's DNS interface, for callers who would rather ask DNS. */
import { Resolver } from 'node:dns/promises';

export async function lookupSrv(
  name: string,
  { server = '127.0.0.1', port = 8600, domain = 'consul' } = {},
): Promise<{ name: string; port: number }[]> {
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([`${server}:${port}`]);
  const records = await resolver.resolveSrv(`${name}.service.${domain}`);
  return records.map((record) => ({ name: record.name, port: record.port }));
}
