import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { printableConfig, resolveConfig, type EntryDefaults } from '../../bookshelf/adapters/cli/config.js';
import { ConfigError, integer } from '../../bookshelf/adapters/cli/options.js';

const entry: EntryDefaults = {
  entry: 'last-read',
  role: 'view',
  name: 'lastreadbooks',
  port: 8087,
  tags: ['books', 'last'],
  describe: 'test',
  options: [{ flag: 'size', type: 'number', default: 5, describe: 'size', parse: integer(1, 1000) }],
};

const resolve = (cli: Record<string, unknown> = {}, env: Record<string, string> = {}, file?: Record<string, unknown>) =>
  resolveConfig(entry, { cli, env, ...(file && { file }), externalAddress: () => '10.1.2.3' });

describe('configuration', () => {
  describe('with nothing given', () => {
    it('uses the defaults of the entry', () => {
      expect(resolve()).toMatchObject({
        topic: 'bookshelf',
        brokers: ['localhost:9092'],
        addr: '127.0.0.1',
        port: 8087,
        name: 'lastreadbooks',
        tags: ['books', 'last'],
        advertise: '127.0.0.1',
        consul: { host: '127.0.0.1', port: 8500, secure: false },
        register: true,
        delay: 0,
        logLevel: 'info',
        checkInterval: '5s',
        deregisterAfter: '1m',
        extra: { size: 5 },
      });
      expect(resolve().id).toBeUndefined();
    });
  });

  describe('layering', () => {
    const file = { topic: 'from-file', port: 9001, 'log-level': 'debug', size: 7 };
    const env = { BOOKSHELF_TOPIC: 'from-env', BOOKSHELF_PORT: '9002' };

    it('takes the config file over the defaults', () =>
      expect(resolve({}, {}, file)).toMatchObject({ topic: 'from-file', port: 9001, logLevel: 'debug', extra: { size: 7 } }));
    it('takes the environment over the file', () =>
      expect(resolve({}, env, file)).toMatchObject({ topic: 'from-env', port: 9002, logLevel: 'debug' }));
    it('takes the command line over everything', () =>
      expect(resolve({ topic: 'from-cli', port: '9003' }, env, file)).toMatchObject({ topic: 'from-cli', port: 9003 }));
    it('accepts camelCase keys in the file', () => expect(resolve({}, {}, { logLevel: 'warn' })).toMatchObject({ logLevel: 'warn' }));
  });

  describe('lists', () => {
    it('reads repeated and comma-separated brokers', () =>
      expect(resolve({ broker: ['a:1,b:2', 'c:3'] }).brokers).toEqual(['a:1', 'b:2', 'c:3']));
    it('reads KAFKA_BROKERS comma-separated', () =>
      expect(resolve({}, { KAFKA_BROKERS: 'k1:9092,k2:9092' }).brokers).toEqual(['k1:9092', 'k2:9092']));
    it('reads tags from the command line and the environment', () => {
      expect(resolve({ tags: ['books', 'last'] }).tags).toEqual(['books', 'last']);
      expect(resolve({}, { BOOKSHELF_TAGS: 'x,y' }).tags).toEqual(['x', 'y']);
    });
  });

  describe('Consul', () => {
    it('reads CONSUL_HTTP_ADDR with a scheme and the token', () =>
      expect(resolve({}, { CONSUL_HTTP_ADDR: 'https://consul.local:8501', CONSUL_HTTP_TOKEN: 's3cret' }).consul).toEqual({
        host: 'consul.local',
        port: 8501,
        secure: true,
        token: 's3cret',
      }));
    it('can be switched off with --no-register', () => expect(resolve({ register: false }).register).toBe(false));
  });

  describe('Kafka security', () => {
    const readableFile = fileURLToPath(import.meta.url);

    it('is plaintext without SASL by default', () => expect(resolve().kafkaSecurity).toEqual({}));
    it('takes SASL from the environment, PLAIN when no mechanism is named', () =>
      expect(resolve({}, { KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: ' alice secret ' }).kafkaSecurity).toEqual({
        sasl: { mechanism: 'plain', username: 'alice', password: ' alice secret ' },
      }));
    it('takes the mechanism and TLS from flags', () =>
      expect(
        resolve({ 'kafka-sasl-mechanism': 'scram-sha-512', 'kafka-username': 'bob', 'kafka-password': 'pw', 'kafka-tls': true })
          .kafkaSecurity,
      ).toEqual({
        tls: {},
        sasl: { mechanism: 'scram-sha-512', username: 'bob', password: 'pw' },
      }));
    it('reads KAFKA_TLS', () => expect(resolve({}, { KAFKA_TLS: 'true' }).kafkaSecurity).toEqual({ tls: {} }));
    it('turns TLS on when a CA file is given', () =>
      expect(resolve({}, { KAFKA_CA: readableFile }).kafkaSecurity).toEqual({ tls: { caFile: readableFile } }));
    it.each([
      [{ 'kafka-username': 'alice' }, 'kafka-password'],
      [{ 'kafka-password': 'pw' }, 'kafka-username'],
      [{ 'kafka-sasl-mechanism': 'plain' }, 'kafka-username'],
      [{ 'kafka-sasl-mechanism': 'gssapi', 'kafka-username': 'a', 'kafka-password': 'b' }, 'kafka-sasl-mechanism'],
      [{ 'kafka-ca': '/no/such/ca.pem' }, 'kafka-ca'],
    ])('refuses %j naming --%s', (cli, flag) => expect(() => resolve(cli)).toThrow(`--${flag} `));
  });

  describe('the bearer token', () => {
    it('is off by default, and reads are open', () => expect(resolve().auth).toEqual({ reads: false }));
    it('comes from BOOKSHELF_AUTH_TOKEN', () =>
      expect(resolve({}, { BOOKSHELF_AUTH_TOKEN: 't0ken' }).auth).toEqual({ token: 't0ken', reads: false }));
    it('can guard reads too', () =>
      expect(resolve({ 'auth-token': 't0ken', 'auth-reads': true }).auth).toEqual({ token: 't0ken', reads: true }));
    it('refuses a token that cannot travel in a header, without echoing it', () => {
      expect(() => resolve({ 'auth-token': 'two words' })).toThrow('--auth-token must be printable ASCII without spaces');
      expect(() => resolve({ 'auth-token': 'two words' })).not.toThrow(/two words/);
    });
  });

  describe('secrets in the printed configuration', () => {
    const printed = JSON.stringify(
      printableConfig(
        resolve({ 'kafka-password': 'kafka-pw-1', 'kafka-username': 'alice', 'auth-token': 'bearer-2' }, { CONSUL_HTTP_TOKEN: 'consul-3' }),
      ),
    );

    it('are masked', () => {
      for (const secret of ['kafka-pw-1', 'bearer-2', 'consul-3']) expect(printed).not.toContain(secret);
      expect(printed.match(/\[redacted\]/g)).toHaveLength(3);
    });
    it('keep what is not secret', () => expect(printed).toContain('"username":"alice"'));
  });

  describe('the advertised address', () => {
    it('is --addr', () => expect(resolve({ addr: '127.0.0.2' }).advertise).toBe('127.0.0.2'));
    it('is the first external IPv4 when binding every interface', () => expect(resolve({ addr: '0.0.0.0' }).advertise).toBe('10.1.2.3'));
    it('is --advertise when given', () => expect(resolve({ addr: '0.0.0.0', advertise: 'books.local' }).advertise).toBe('books.local'));
  });

  describe('bad values', () => {
    it.each([
      [{ port: '70000' }, {}, 'port'],
      [{ port: 'eighty' }, {}, 'port'],
      [{ 'log-level': 'loud' }, {}, 'log-level'],
      [{ broker: ['localhost'] }, {}, 'broker'],
      [{ topic: 'has space' }, {}, 'topic'],
      [{ delay: '-1' }, {}, 'delay'],
      [{ 'check-interval': 'often' }, {}, 'check-interval'],
      [{ size: '0' }, {}, 'size'],
      [{}, { BOOKSHELF_PORT: '-5' }, 'port'],
    ])('refuses %j %j naming --%s', (cli, env, flag) => {
      expect(() => resolve(cli, env)).toThrow(ConfigError);
      expect(() => resolve(cli, env)).toThrow(`--${flag} `);
    });

    it('refuses an unknown key in the config file', () =>
      expect(() => resolve({}, {}, { colour: 'red' })).toThrow('--config file has an unknown key "colour"'));
  });
});
