/** Several `books` processes sharing one topic, registered in Consul, and the `shelf` gateway routing to their owners. */
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { CONSUL } from './kafka.js';
import { startListening, waitHealthy, type ServiceProcess } from './services.js';

type Listening = ServiceProcess & { url: string };

/** Partition → ids of the passing instances of `name` whose meta `partitions` names it. */
export async function consulOwners(name: string): Promise<Map<number, string[]>> {
  const response = await fetch(`http://${CONSUL}/v1/health/service/${name}?passing`);
  const entries = (await response.json()) as { Service: { ID: string; Port: number; Meta: Record<string, string> | null } }[];
  const owners = new Map<number, string[]>();
  for (const { Service } of entries) {
    for (const part of (Service.Meta?.partitions ?? '').split(',').filter((p) => p !== ''))
      owners.set(Number(part), [...(owners.get(Number(part)) ?? []), `${Service.ID}`]);
  }
  return owners;
}

export async function waitForOwners(name: string, partitions: number, instances: number, timeoutMs = 60_000): Promise<Map<number, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owners = await consulOwners(name);
    const once = Array.from({ length: partitions }, (_, p) => owners.get(p)?.length === 1).every(Boolean);
    if (once && new Set([...owners.values()].flat()).size === instances) return new Map([...owners].map(([p, [id]]) => [p, id!]));
    if (Date.now() > deadline) throw new Error(`${name}: ${instances} owners of ${partitions} partitions not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startBooksGroup({
  topic,
  partitions,
  instances,
  sessionTimeoutS = 10,
}: {
  topic: string;
  partitions: number;
  instances: number;
  sessionTimeoutS?: number;
}) {
  const name = `bench-books-${randomUUID().slice(0, 8)}`;
  const started: Listening[] = [];
  // SIGTERM: each deregisters itself.
  const stopAll = () => Promise.all(started.map((service) => service.stop())).then(() => undefined);
  try {
    for (let i = 0; i < instances; i++) {
      const books = await startListening('books', {
        topic,
        register: true,
        name,
        extraArgs: ['--session-timeout', String(sessionTimeoutS), '--check-interval', '1s'],
      });
      started.push(books);
    }
    for (const books of started) await waitHealthy(books.url);
    const owners = await waitForOwners(name, partitions, instances);
    const shelf = await startListening('shelf', { topic, register: false, extraArgs: ['--books-service', name] });
    started.push(shelf);
    // The gateway knows the owners once its blocking query answered: a command for each partition gets through.
    for (let partition = 0; partition < partitions; partition++) {
      for (let attempt = 0; ; attempt++) {
        const id = idOn(partition, partitions);
        const answer = await fetch(`${shelf.url}/bookshelf/books`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ id, title: 'warm-up' }),
        });
        await answer.arrayBuffer();
        if (answer.status === 201 && answer.headers.get('x-served-by') === owners.get(partition)) break;
        if (attempt > 200) throw new Error(`shelf does not route partition ${partition} to its owner`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return { name, books: started.slice(0, instances), shelf, owners, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const partitioner = Partitioners.DefaultPartitioner();

/** A book id on `partition`, by Kafka's default partitioner, as books and the gateway place it. */
export function idOn(partition: number, partitions: number): string {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  for (;;) {
    const id = randomUUID();
    if (partitioner({ topic: 'books', partitionMetadata, message: { key: id, value: null } }) === partition) return id;
  }
}
