/**
 * Kafka with SASL/PLAIN, and with TLS: a broker of this test's own (compose/kafka-run.sh) with SASL_PLAINTEXT and
 * SASL_SSL listeners beside its PLAINTEXT one (used only to set up); the services reach it through the others.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bookshelf/adapters/cli/config.js';
import { booksDefaults, startBooks } from '../../bookshelf/services/books.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { startView } from '../../bookshelf/services/view-service.js';
import { send } from '../support/in-process.js';
import { capturedLogger } from '../support/captured-logger.js';
import { createTopic, portAnswers, produce, testKafka, unique } from '../support/infra.js';
import { freePort } from '../support/processes.js';
import { waitFor } from '../support/wait-for.js';

const kafkaRun = fileURLToPath(new URL('../../compose/kafka-run.sh', import.meta.url));
const PASSWORD = `alice-${unique('pw')}`;
const WRONG_PASSWORD = `wrong-${unique('pw')}`;

let child: ChildProcess | undefined;
let data = '';
let plaintext = '';
let sasl = '';
let saslTls = '';
let caFile = '';

/** A CA, and a certificate it signed for 127.0.0.1, in one PEM file as Kafka's keystore. */
function certificates(dir: string): { caFile: string; keystore: string } {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Bookshelf test CA',
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('broker.key'), '-out', file('broker.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('broker.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('broker.pem'),
    '-days',
    '2',
    '-extfile',
    file('san.cnf'),
  );
  writeFileSync(file('keystore.pem'), readFileSync(file('broker.key'), 'utf8') + readFileSync(file('broker.pem'), 'utf8'));
  return { caFile: file('ca.pem'), keystore: file('keystore.pem') };
}

beforeAll(async () => {
  const [port, controllerPort, saslPort, saslTlsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  plaintext = `127.0.0.1:${port}`;
  sasl = `127.0.0.1:${saslPort}`;
  saslTls = `127.0.0.1:${saslTlsPort}`;
  data = mkdtempSync(join(tmpdir(), 'bookshelf-kafka-sasl-'));
  const tls = certificates(data);
  caFile = tls.caFile;
  const jaas = `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="${PASSWORD}";`;
  const config = [
    `listeners=PLAINTEXT://${plaintext},CONTROLLER://127.0.0.1:${controllerPort},SASL_PLAINTEXT://${sasl},SASL_SSL://${saslTls}`,
    `advertised.listeners=PLAINTEXT://${plaintext},SASL_PLAINTEXT://${sasl},SASL_SSL://${saslTls}`,
    'sasl.enabled.mechanisms=PLAIN',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${jaas}`,
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${jaas}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${tls.keystore}`,
  ];
  child = spawn(
    'bash',
    [
      kafkaRun,
      '--port',
      String(port),
      '--controller-port',
      String(controllerPort),
      '--data',
      data,
      ...config.flatMap((kv) => ['--config', kv]),
    ],
    {
      stdio: 'ignore',
      env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx512m -Xms128m' },
    },
  );
  await waitFor(async () => (await portAnswers(saslPort)) && portAnswers(saslTlsPort), {
    timeout: 60_000,
    interval: 200,
    what: `SASL listeners on ${saslPort}, ${saslTlsPort}`,
  });
}, 90_000);

afterAll(async () => {
  const current = child;
  if (current && current.exitCode === null) {
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  }
  if (data) rmSync(data, { recursive: true, force: true });
});

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

const cli = (topic: string, extra: Record<string, unknown> = {}) => ({ port: '0', broker: [sasl], topic, register: false, ...extra });

async function view(topic: string, env: Record<string, string>, extra: Record<string, unknown> = {}) {
  const log = capturedLogger('list');
  const service = await startView(listBooksView, resolveConfig(listBooksView.defaults, { cli: cli(topic, extra), env }), {
    logger: log.logger,
  });
  running.push(service);
  return { ...service, log, get: (path: string) => send(service.url, 'GET', path) };
}

describe('Kafka SASL/PLAIN', () => {
  it('is refused to a client without credentials', async () => {
    const admin = testKafka(sasl).admin({ retry: { retries: 0 } });
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  });

  it('with the right password (from the environment): events flow to the view and commands to Kafka', async () => {
    const topic = unique('sasl');
    await createTopic(topic, 2, plaintext);
    await produce(topic, [{ key: 'b1', value: JSON.stringify({ name: 'book-added', payload: { id: 'b1', title: 'Emma' } }) }], plaintext);
    const list = await view(topic, { KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: PASSWORD });
    await waitFor(async () => (await list.get('/health')).status === 200, { timeout: 30_000, what: 'view caught up over SASL' });
    expect((await list.get('/')).body).toEqual([expect.objectContaining({ id: 'b1', title: 'Emma' })]);

    const log = capturedLogger('books');
    const config = resolveConfig(booksDefaults, {
      cli: cli(topic, { 'kafka-sasl-mechanism': 'plain', 'kafka-username': 'alice', 'kafka-password': PASSWORD }),
      env: {},
    });
    const books = await startBooks(config, { logger: log.logger });
    running.push(books);
    await waitFor(async () => (await send(books.url, 'GET', '/health')).status === 200, {
      timeout: 30_000,
      what: 'books caught up over SASL',
    });
    const added = await send(books.url, 'POST', '/books', { id: 'b2', title: 'Dune' });
    expect(added).toMatchObject({ status: 201, body: { id: 'b2' } });
    expect(await list.get(`/b2?position=${added.body?.position as string}`)).toMatchObject({
      status: 200,
      body: { id: 'b2', title: 'Dune' },
    });

    expect(list.log.text() + log.text()).not.toContain(PASSWORD);
  });

  it('with a wrong password: health fails with the reason, the service keeps running, and no password is logged', async () => {
    const topic = unique('sasl-wrong');
    await createTopic(topic, 1, plaintext);
    await produce(topic, [{ key: 'b1', value: JSON.stringify({ name: 'book-added', payload: { id: 'b1', title: 'Emma' } }) }], plaintext);
    const list = await view(topic, { KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: WRONG_PASSWORD });

    const health = await waitFor(
      async () => {
        const answer = await list.get('/health');
        return answer.status === 503 && /auth/i.test(String(answer.body?.error)) && answer;
      },
      { timeout: 30_000, what: 'health 503 naming the authentication failure' },
    );
    expect(health.body).toMatchObject({ status: 'fail', kafka: 'down', events: { applied: 0 } });
    expect(await list.get('/')).toMatchObject({ status: 200, body: [] });
    await waitFor(() => list.log.lines().some((line) => line.msg === 'Kafka not reachable, retrying' && /auth/i.test(String(line.err))), {
      what: 'the failure logged',
    });
    expect(list.log.text()).not.toContain(WRONG_PASSWORD);
    expect(list.log.text()).not.toContain(PASSWORD);
  });
});

describe('Kafka over TLS (SASL_SSL)', () => {
  const credentials = { KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: PASSWORD };

  it('reads the topic when the CA that signed the broker is given (KAFKA_CA)', async () => {
    const topic = unique('tls');
    await createTopic(topic, 1, plaintext);
    await produce(
      topic,
      [{ key: 't1', value: JSON.stringify({ name: 'book-added', payload: { id: 't1', title: 'Middlemarch' } }) }],
      plaintext,
    );
    const list = await view(topic, { ...credentials, KAFKA_CA: caFile }, { broker: [saslTls] });
    await waitFor(async () => (await list.get('/health')).status === 200, { timeout: 30_000, what: 'view caught up over TLS' });
    expect((await list.get('/')).body).toEqual([expect.objectContaining({ id: 't1', title: 'Middlemarch' })]);
  });

  it("refuses a broker whose certificate Node's own CAs do not trust", async () => {
    const topic = unique('tls-untrusted');
    await createTopic(topic, 1, plaintext);
    const list = await view(topic, { ...credentials, KAFKA_TLS: 'true' }, { broker: [saslTls] });
    const health = await waitFor(
      async () => {
        const answer = await list.get('/health');
        return answer.status === 503 && /certificate/i.test(String(answer.body?.error)) && answer;
      },
      { timeout: 30_000, what: 'health 503 naming the certificate' },
    );
    expect(health.body).toMatchObject({ status: 'fail', kafka: 'down' });
  });
});
