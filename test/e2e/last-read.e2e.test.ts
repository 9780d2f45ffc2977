import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSUL, CONSUL_DNS_PORT, KAFKA, catalogService, checkStatus, createTopic, pushWithKcat, unique } from '../support/infra.js';
import { freePort, runEntry, type RunningProcess } from '../support/processes.js';
import { waitFor } from '../support/wait-for.js';

const children: RunningProcess[] = [];
afterEach(() => {
  for (const process of children.splice(0)) process.child.kill('SIGKILL');
});

function lastRead(args: string[]) {
  const process = runEntry('last-read', [...args, '--consul', CONSUL, '--check-interval', '1s']);
  children.push(process);
  return process;
}

const dig = async (name: string) =>
  (
    await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(CONSUL_DNS_PORT), `${name}.service.consul`, 'SRV', '+short'])
  ).stdout.trim();

describe('node last-read, as a user runs it', () => {
  it('serves lines pushed with kcat, registers in Consul with a DNS SRV record, and deregisters on SIGTERM', async () => {
    const topic = unique('e2e');
    const name = unique('lastreadbooks');
    const port = await freePort();
    await createTopic(topic, 3);
    const process = lastRead(['--topic', topic, '--broker', KAFKA, '--port', String(port), '--name', name, '--tags', 'books', 'last']);
    await process.waitForLog('listening');

    await pushWithKcat(topic, [JSON.stringify({ name: 'book-read', payload: { id: 'b1', title: 'Dune' } })]);
    await pushWithKcat(topic, [JSON.stringify({ name: 'book-read', payload: { id: 'b2', title: 'Emma' } })]);
    const books = await waitFor(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { id: string }[];
      return body.length === 2 && body;
    });
    expect(books.map((book) => book.id)).toEqual(['b2', 'b1']);

    const [entry] = await waitFor(() => catalogService(name).then((entries) => entries.length === 1 && entries));
    expect(entry).toMatchObject({
      ServiceName: name,
      ServicePort: port,
      ServiceAddress: '127.0.0.1',
      ServiceTags: ['books', 'last'],
      ServiceMeta: { role: 'view', topic },
    });
    expect(entry?.ServiceID).toMatch(`${name}-`);
    await waitFor(async () => (await checkStatus(name)).includes('passing'), { what: 'passing check' });
    expect(await waitFor(() => dig(name))).toMatch(new RegExp(`^\\d+ \\d+ ${port} `));

    const stoppedAt = Date.now();
    process.child.kill('SIGTERM');
    expect(await process.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
    expect(await catalogService(name)).toEqual([]);
  });

  it('turns its Consul check critical when killed with -9', async () => {
    const topic = unique('e2e-kill');
    const name = unique('lastreadbooks');
    await createTopic(topic, 1);
    const process = lastRead(['--topic', topic, '--broker', KAFKA, '--port', String(await freePort()), '--name', name]);
    await waitFor(async () => (await checkStatus(name)).includes('passing'), { what: 'passing check' });
    process.child.kill('SIGKILL');
    await process.exited;
    await waitFor(async () => (await checkStatus(name)).includes('critical'), { what: 'critical check', timeout: 10_000 });
    await fetch(`http://${CONSUL}/v1/agent/service/deregister/${(await catalogService(name))[0]?.ServiceID}`, { method: 'PUT' });
  });

  it('refuses a bad flag with exit code 2 and one line naming it', async () => {
    const process = lastRead(['--port', '70000']);
    expect((await process.exited).code).toBe(2);
    expect(process.stderr().trim().split('\n')).toEqual(['last-read: --port must be an integer from 0 to 65535 (got "70000")']);
  });
});
