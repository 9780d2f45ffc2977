/**
 * P3 freshness: at a fixed rate of commands to `books`, the time from sending one to its event
 * being visible in `list-books` (a read with the command's position answers once it is applied),
 * against the bare Kafka round trip of the same client: kafkajs acks=-1 producer to kafkajs consumer.
 */
import { percentileFigures, type BenchContext, type Figure, type Percentiles } from '../support/figure.js';
import { benchKafka, newTopic } from '../support/kafka.js';
import { atRate } from '../support/open-loop.js';
import { addBook, readAt } from '../support/read-your-writes.js';
import { startListening, waitHealthy } from '../support/services.js';
import { percentile } from '../support/stats.js';

const RATE = 500;
const WARMUP_S = 1;
const MEASURE_S = 5;

type Latencies = Percentiles;

const summarise = (samples: number[]): Latencies => ({ p50: percentile(samples, 50), p99: percentile(samples, 99) });

async function serviceRun(books: string, list: string, run: number): Promise<Latencies> {
  const samples: number[] = [];
  let failures = 0;
  await atRate(RATE, RATE * (WARMUP_S + MEASURE_S), async (i) => {
    const id = `fresh-${run}-${i}`;
    const sent = performance.now();
    const { position } = await addBook(books, id, `Fresh ${i}`);
    if (position === undefined) return void failures++;
    const read = await readAt(list, id, position);
    if (read.status !== 200) return void failures++;
    if (i >= RATE * WARMUP_S) samples.push(performance.now() - sent);
  });
  if (failures > 0) throw new Error(`P3: ${failures} commands not answered or not visible`);
  return summarise(samples);
}

async function kafkaRun(topic: string): Promise<Latencies> {
  const kafka = benchKafka();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}-${Date.now()}`, maxWaitTimeInMs: 1000 });
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    let ready!: () => void;
    const joined = new Promise<void>((resolve) => (ready = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => ready());
    // As the views read: no offsets committed.
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ message }) => {
        const key = message.key!.toString();
        const at = sentAt.get(key);
        if (at !== undefined) samples.push(performance.now() - at);
        return Promise.resolve();
      },
    });
    await joined;
    const count = RATE * (WARMUP_S + MEASURE_S);
    await atRate(RATE, count, async (i) => {
      const key = `k-${i}`;
      if (i >= RATE * WARMUP_S) sentAt.set(key, performance.now());
      await producer.send({ topic, acks: -1, messages: [{ key, value: JSON.stringify({ i }) }] });
    });
    const deadline = Date.now() + 10_000;
    while (samples.length < RATE * MEASURE_S && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return summarise(samples);
  } finally {
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
  }
}

export async function freshnessFigures(ctx: BenchContext): Promise<Figure[]> {
  const [topic, bareTopic] = await Promise.all([newTopic(ctx, 'fresh'), newTopic(ctx, 'fresh-bare')]);
  const books = await startListening('books', { topic });
  const list = await startListening('list-books', { topic });
  try {
    await Promise.all([waitHealthy(books.url), waitHealthy(list.url)]);
    const service: Latencies[] = [];
    const bare: Latencies[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      service.push(await serviceRun(books.url, list.url, run));
      bare.push(await kafkaRun(bareTopic));
      ctx.log(
        `P3 run ${run + 1}: command → visible p50 ${service[run]!.p50.toFixed(1)} ms, p99 ${service[run]!.p99.toFixed(1)} ms; kafkajs produce → consume p50 ${bare[run]!.p50.toFixed(1)} ms, p99 ${bare[run]!.p99.toFixed(1)} ms`,
      );
    }
    return percentileFigures({
      id: 'P3',
      what: (p) => `${p} command → visible in list-books at ${RATE}/s`,
      values: service,
      baselineName: 'kafkajs acks=-1 → consumer',
      baselines: bare,
      p99Goal: { goal: '≤ 25 ms', meets: (p99) => p99 <= 25 },
    });
  } finally {
    await Promise.all([books.stop(), list.stop()]);
  }
}
