/**
 * Docker cannot run here, so compose/docker-compose.yml and compose/Dockerfile are checked for what can be
 * checked: the file parses, images are pinned to the versions the native scripts run, and every command
 * line is one the entry's own parser accepts, with the addresses the compose network gives.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCommandLine } from '../../bookshelf/adapters/cli/command-line.js';
import type { EntryDefaults } from '../../bookshelf/adapters/cli/config.js';
import { booksDefaults } from '../../bookshelf/services/books.service.js';
import { parseTopicArgs } from '../../bookshelf/services/kafka-topics.js';
import { lastReadView } from '../../bookshelf/services/last-read.service.js';
import { listBooksView } from '../../bookshelf/services/list-books.service.js';
import { shelfDefaults } from '../../bookshelf/services/shelf.service.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  ports?: string[];
  container_name?: string;
  profiles?: string[];
  network_mode?: string;
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(read('compose/docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const versions = Object.fromEntries(
  [...read('compose/versions.env').matchAll(/^(\w+)=(\S+)$/gm)].map(([, key = '', value = '']) => [key, value] as const),
);
const entryDefaults: Record<string, EntryDefaults> = {
  books: booksDefaults,
  'list-books': listBooksView.defaults,
  'last-read': lastReadView.defaults,
  shelf: shelfDefaults,
};
const appServices = Object.entries(services).filter(([, service]) => service.build);
const serviceEntries = appServices.filter(([name]) => name !== 'topic');

describe('compose/docker-compose.yml', () => {
  it('runs Kafka, Consul, the topic and the four services', () => {
    expect(Object.keys(services).sort()).toEqual(['books', 'consul', 'consul-host', 'kafka', 'last-read', 'list-books', 'shelf', 'topic']);
    expect(serviceEntries.map(([name]) => name).sort()).toEqual(Object.keys(entryDefaults).sort());
  });

  it('pins Kafka and Consul to the versions the native scripts run', () => {
    expect(services.kafka?.image).toBe(`apache/kafka:${versions.KAFKA_VERSION}`);
    expect(services.consul?.image).toBe(`hashicorp/consul:${versions.CONSUL_VERSION}`);
    expect(services['consul-host']?.image).toBe(services.consul?.image);
  });

  it('runs Kafka in KRaft combined mode, advertised to the containers as kafka:9092', () => {
    const env = services.kafka!.environment!;
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(String(env.KAFKA_ADVERTISED_LISTENERS).split(',')).toContain('PLAINTEXT://kafka:9092');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
  });

  it('builds every service from compose/Dockerfile at the repository root', () => {
    for (const [, service] of appServices) {
      expect(service.build).toEqual({ context: '..', dockerfile: 'compose/Dockerfile' });
      expect(service.image).toBe('bookshelf:dev');
    }
  });

  describe.each(serviceEntries)('the %s service', (name, service) => {
    const [node, script, ...args] = service.command ?? [];

    it('runs its entry the way the native path does', () => {
      expect(node).toBe('node');
      expect(script).toBe(`bookshelf/bin/${name}.js`);
      expect(existsSync(`${root}${script}`)).toBe(true);
    });

    it('gives only flags the entry accepts: binds 0.0.0.0, advertises its container address, finds kafka and consul', async () => {
      const commandLine = await parseCommandLine(entryDefaults[name]!, args, {});
      expect(commandLine).toMatchObject({ kind: 'run' });
      if (commandLine.kind !== 'run') return;
      expect(commandLine.config).toMatchObject({
        addr: '0.0.0.0',
        brokers: ['kafka:9092'],
        consul: { host: 'consul', port: 8500 },
        topic: 'bookshelf',
        register: true,
      });
      expect(commandLine.config.advertise).not.toBe('0.0.0.0');
      expect(args).not.toContain('--advertise');
      expect(args).not.toContain('--id');
    });

    it('starts once the topic exists and Consul answers', () => {
      expect(service.depends_on).toEqual({
        topic: { condition: 'service_completed_successfully' },
        consul: { condition: 'service_healthy' },
      });
    });
  });

  it('creates the topic with the project kafka-topics.sh, on the broker and topic the services use', async () => {
    const [script, ...args] = services.topic!.command!;
    expect(script).toBe('./kafka-topics.sh');
    expect(existsSync(`${root}kafka-topics.sh`)).toBe(true);
    expect(await parseTopicArgs(args)).toEqual({
      command: { action: 'create', topic: 'bookshelf', partitions: 3, replicationFactor: 1, ifNotExists: true, configs: [] },
      bootstrap: ['kafka:9092'],
      warnings: [],
    });
    expect(services.topic!.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
  });

  it('lets views and books scale: no fixed container name, host port or service id on them', () => {
    for (const name of ['last-read', 'list-books', 'books']) {
      expect(services[name]!.command).not.toContain('--id');
      expect(services[name]).not.toHaveProperty('container_name');
      expect(services[name]).not.toHaveProperty('ports');
    }
    for (const service of Object.values(services)) expect(service).not.toHaveProperty('container_name');
  });

  it('gives books what its transactions need on a single broker', () => {
    expect(services.kafka!.environment).toMatchObject({
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: 1,
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: 1,
    });
  });

  it('publishes the gateway and Consul on 127.0.0.1 at their usual ports', () => {
    expect(services.shelf!.ports).toEqual([`127.0.0.1:${shelfDefaults.port}:${shelfDefaults.port}`]);
    expect(services.consul!.ports).toContain('127.0.0.1:8500:8500');
  });

  it('keeps the host-network Consul out of a plain `up`', () => {
    expect(services['consul-host']).toMatchObject({ profiles: ['infra'], network_mode: 'host' });
  });
});

describe('compose/Dockerfile', () => {
  const dockerfile = read('compose/Dockerfile');
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map(([, image]) => image);

  it('builds and runs on one pinned Node image', () => {
    expect(froms).toHaveLength(2);
    expect(new Set(froms).size).toBe(1);
    expect(froms[0]).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim$/);
    const engine = Number(/>=(\d+)/.exec((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node)?.[1]);
    expect(Number(/^node:(\d+)/.exec(froms[0]!)?.[1])).toBeGreaterThanOrEqual(engine);
  });

  it('finds everything it copies in the build context that .dockerignore lets through', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(([, list]) => list!.split(' '));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(
        allowed.some((path) => source === path || source.startsWith(`${path}/`)),
        source,
      ).toBe(true);
      expect(existsSync(`${root}${source}`), source).toBe(true);
    }
  });

  it('ships no TypeScript source, so bin/launch.js never tries to compile in the image', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).not.toMatch(/^COPY (?!--from)bookshelf /m);
    expect(finalStage).toMatch(/^COPY bookshelf\/bin /m);
    expect(readdirSync(`${root}bookshelf/bin`).filter((file) => !file.endsWith('.js'))).toEqual([]);
  });
});
