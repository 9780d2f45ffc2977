/**
 * Consul with ACLs on and default deny: a second agent of this test's own (compose/consul-run.sh --port-offset).
 * A service registers with CONSUL_HTTP_TOKEN, and the gateway discovers with it; without a token neither can.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { booksDefaults, startBooks } from '../../bookshelf/services/books.service.js';
import { shelfDefaults, startShelf } from '../../bookshelf/services/shelf.service.js';
import { send } from '../support/in-process.js';
import { capturedLogger } from '../support/captured-logger.js';
import { KAFKA, createTopic, portAnswers, unique } from '../support/infra.js';
import { waitFor } from '../support/wait-for.js';

const consulRun = fileURLToPath(new URL('../../compose/consul-run.sh', import.meta.url));
const MANAGEMENT = randomUUID();
/** The ports consul-run.sh moves by --port-offset. */
const BASE_PORTS = [8500, 8600, 8300, 8301, 8302, 8502, 8503];

let agent: ChildProcess | undefined;
let consul = '';

async function consulApi<T>(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`http://${consul}${path}`, {
    method,
    headers: token === undefined ? {} : { 'X-Consul-Token': token },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

/** A token that may register `name` and read the catalogue, as an operator would hand to the service. */
async function serviceToken(name: string): Promise<string> {
  const policy = `${name}-policy`;
  const rules = `service "${name}" { policy = "write" }\nservice_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }`;
  expect((await consulApi('PUT', '/v1/acl/policy', MANAGEMENT, { Name: policy, Rules: rules })).status).toBe(200);
  const token = await consulApi<{ SecretID: string }>('PUT', '/v1/acl/token', MANAGEMENT, {
    Description: `bookshelf ${name}`,
    Policies: [{ Name: policy }],
  });
  expect(token.status).toBe(200);
  return token.body.SecretID;
}

beforeAll(async () => {
  let offset = 0;
  for (let attempt = 0; offset === 0 && attempt < 20; attempt++) {
    // Below Linux's ephemeral range (32768+), where an outgoing connection may hold a port a moment later.
    const candidate = randomInt(10_000, 24_000);
    const taken = await Promise.all(BASE_PORTS.map((port) => portAnswers(port + candidate)));
    if (!taken.includes(true)) offset = candidate;
  }
  consul = `127.0.0.1:${8500 + offset}`;
  // The agent's own token lets it pass deregistrations on to the catalogue, as a production agent's does.
  const acl = `acl { enabled = true default_policy = "deny" tokens { initial_management = "${MANAGEMENT}" agent = "${MANAGEMENT}" } }`;
  agent = spawn('bash', [consulRun, '--port-offset', String(offset), '--', '-hcl', acl], { stdio: 'ignore' });
  await waitFor(async () => (await consulApi('GET', '/v1/acl/token/self', MANAGEMENT)).status === 200, {
    timeout: 60_000,
    interval: 200,
    what: `ACL agent on ${consul}`,
  });
}, 90_000);

afterAll(async () => {
  const current = agent;
  if (current && current.exitCode === null) {
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  }
});

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function registeredBooks(topic: string, name: string, env: Record<string, string>) {
  const log = capturedLogger('books');
  const config = resolveConfig(booksDefaults, { cli: { port: '0', broker: [KAFKA], topic, name, consul, 'check-interval': '1s' }, env });
  const service = await startBooks(config, { logger: log.logger });
  running.push(service);
  return { ...service, log };
}

const healthOf = async (name: string, token: string | undefined) =>
  (
    await consulApi<{ Service: { ID: string }; Checks: { ServiceID: string; Status: string }[] }[]>(
      'GET',
      `/v1/health/service/${name}`,
      token,
    )
  ).body;

describe('Consul with ACLs on and default deny', () => {
  it('takes the registration of a service given CONSUL_HTTP_TOKEN, and the gateway finds it with its token', async () => {
    const topic = unique('acl');
    const name = unique('books');
    await createTopic(topic, 1);
    const token = await serviceToken(name);
    const books = await registeredBooks(topic, name, { CONSUL_HTTP_TOKEN: token });

    await waitFor(
      async () =>
        (await healthOf(name, MANAGEMENT)).some(
          (entry) => entry.Service.ID === books.id && entry.Checks.every((check) => check.Status === 'passing'),
        ),
      {
        what: 'books registered and passing',
      },
    );
    // The catalogue is not open to anonymous readers.
    expect(await healthOf(name, undefined)).toEqual([]);

    const shelfLog = capturedLogger('shelf');
    const shelfConfig = resolveConfig(shelfDefaults, {
      cli: {
        port: '0',
        consul,
        register: false,
        'books-service': name,
        'booklist-service': unique('booklist'),
        'lastread-service': unique('lastread'),
      },
      env: { CONSUL_HTTP_TOKEN: token },
    });
    const shelf = await startShelf(shelfConfig, { logger: shelfLog.logger });
    running.push(shelf);
    await waitFor(
      async () =>
        ((await send(shelf.url, 'GET', '/services')).body as Record<string, { instances: { status: string }[] }>)[name]?.instances[0]
          ?.status === 'passing',
      {
        what: 'shelf discovers books through the ACL agent',
      },
    );
    expect(await send(shelf.url, 'POST', '/bookshelf/books', { id: 'a1', title: 'Emma' })).toMatchObject({
      status: 201,
      body: { id: 'a1' },
    });

    await books.stop();
    await waitFor(async () => (await healthOf(name, MANAGEMENT)).length === 0, { what: 'deregistered' });
    expect(books.log.text() + shelfLog.text()).not.toContain(token);
  });

  it('refuses a service without a token; it keeps serving and says why, and a gateway without one finds nothing', async () => {
    const topic = unique('acl-none');
    const name = unique('books');
    await createTopic(topic, 1);
    const books = await registeredBooks(topic, name, {});

    const warning = await waitFor(
      () => books.log.lines().find((line) => line.msg === 'Consul refused the registration (ACL token), will retry'),
      { what: 'the refusal logged' },
    );
    expect(warning).toMatchObject({ level: 40 });
    await waitFor(async () => (await send(books.url, 'GET', '/health')).status === 200, { what: 'books serving' });
    expect(await send(books.url, 'POST', '/books', { id: 'n1', title: 'Dune' })).toMatchObject({ status: 201 });
    expect(await healthOf(name, MANAGEMENT)).toEqual([]);

    const shelf = await startShelf(
      resolveConfig(shelfDefaults, {
        cli: {
          port: '0',
          consul,
          register: false,
          'books-service': name,
          'booklist-service': unique('booklist'),
          'lastread-service': unique('lastread'),
        },
        env: {},
      }),
      { logger: capturedLogger('shelf').logger },
    );
    running.push(shelf);
    expect(await send(shelf.url, 'POST', '/bookshelf/books', { id: 'n2', title: 'Emma' })).toMatchObject({
      status: 503,
      body: { code: 'no_instance' },
    });
  });

  it('takes the management token given as --consul-token, and never logs it', async () => {
    const topic = unique('acl-flag');
    const name = unique('books');
    await createTopic(topic, 1);
    const log = capturedLogger('books');
    const config = resolveConfig(booksDefaults, {
      cli: { port: '0', broker: [KAFKA], topic, name, consul, 'consul-token': MANAGEMENT, 'check-interval': '1s' },
      env: {},
    });
    const books = await startBooks(config, { logger: log.logger });
    running.push(books);
    await waitFor(async () => (await healthOf(name, MANAGEMENT)).length === 1, { what: 'registered with the management token' });
    await waitFor(() => log.lines().some((line) => line.msg === 'registered with Consul'), { what: 'registration logged' });
    expect(log.text()).not.toContain(MANAGEMENT);
  });
});
