/**
 * The P4 baseline: the least a process can do to be passing in Consul — listen, then register
 * with a check that starts passing. Deregisters on SIGTERM.
 *   node dist-bench/bench/baselines/bare-register.js <consul host:port> <service name>
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const [consul, name] = process.argv.slice(2);
const server = createServer((_req, res) => res.end('{"status":"pass"}'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const id = `${name}-${port}`;
const register = await fetch(`http://${consul}/v1/agent/service/register`, {
  method: 'PUT',
  body: JSON.stringify({
    Name: name,
    ID: id,
    Address: '127.0.0.1',
    Port: port,
    Check: { HTTP: `http://127.0.0.1:${port}/health`, Interval: '5s', Status: 'passing', DeregisterCriticalServiceAfter: '1m' },
  }),
});
if (!register.ok) throw new Error(`register: ${register.status}`);
process.once('SIGTERM', () => {
  void fetch(`http://${consul}/v1/agent/service/deregister/${id}`, { method: 'PUT' })
    .catch(() => undefined)
    .then(() => process.exit(0));
});
