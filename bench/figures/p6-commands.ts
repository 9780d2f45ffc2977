/**
 * P6 command throughput: add-book commands per second that one `books` answers 201 (each only
 * after Kafka acknowledged its event with acks=-1), against kcat producing the same events with
 * acks=all and idempotence, the most this broker takes from one client.
 */
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { bookAddedLine } from '../support/book-events.js';
import { newTopic, produceLines } from '../support/kafka.js';
import { load, type LoadOptions } from '../support/load.js';
import { startListening, waitHealthy } from '../support/services.js';
import { startBooksGroup } from '../support/books-group.js';

const LOAD: LoadOptions = {
  connections: 64,
  seconds: 5,
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: '{"id":"[<id>]","title":"A book to add","author":[{"name":"Some Author"}],"type":"novel","year":"1999"}',
  idReplacement: true,
};
const KCAT_MESSAGES = 200_000;

export async function commandFigures(ctx: BenchContext): Promise<Figure[]> {
  const [topic, kcatTopic] = await Promise.all([newTopic(ctx, 'commands'), newTopic(ctx, 'commands-kcat')]);
  const books = await startListening('books', { topic });
  try {
    await waitHealthy(books.url);
    await load(`${books.url}/books`, { ...LOAD, seconds: 1 });
    const service: number[] = [];
    const kcat: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const result = await load(`${books.url}/books`, LOAD);
      if (result.non2xx + result.errors > 0) throw new Error(`P6: books answered ${result.non2xx} non-2xx, ${result.errors} errors`);
      service.push(result.ok);
      const seconds = await produceLines(kcatTopic, KCAT_MESSAGES, (i) => bookAddedLine(run * KCAT_MESSAGES + i), [
        '-X',
        'acks=all',
        '-X',
        'enable.idempotence=true',
      ]);
      kcat.push(KCAT_MESSAGES / seconds);
      ctx.log(
        `P6 run ${run + 1}: books ${Math.round(result.ok)} commands/s (p99 ${result.p99Ms} ms), kcat ${Math.round(kcat[run]!)} events/s`,
      );
    }
    await books.stop();
    const single = figure({
      id: 'P6',
      what: `add-book commands/s, one books owning every partition, ${LOAD.connections} connections, 201 after its transaction committed`,
      unit: '/s',
      values: service,
      baselineName: 'kcat -P acks=all',
      baselines: kcat,
      goal: '≥ 5,000/s',
      meets: (rate) => rate >= 5000,
    });
    return [single, ...(await commandFiguresScaled(ctx, service))];
  } finally {
    await books.stop();
  }
}

/** The same load through the gateway on three instances sharing a 6-partition topic: each command goes to its book's owner. */
async function commandFiguresScaled(ctx: BenchContext, single: number[]): Promise<Figure[]> {
  const topic = await newTopic(ctx, 'commands-3', 6);
  const group = await startBooksGroup({ topic, partitions: 6, instances: 3 });
  try {
    const url = `${group.shelf.url}/bookshelf/books`;
    await load(url, { ...LOAD, seconds: 1 });
    const service: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const result = await load(url, LOAD);
      if (result.non2xx + result.errors > 0) throw new Error(`P6 (3 instances): ${result.non2xx} non-2xx, ${result.errors} errors`);
      service.push(result.ok);
      ctx.log(`P6 run ${run + 1}, three books behind shelf: ${Math.round(result.ok)} commands/s (p99 ${result.p99Ms} ms)`);
    }
    return [
      figure({
        id: 'P6 ×3',
        what: `add-book commands/s, three books on 6 partitions behind shelf, ${LOAD.connections} connections`,
        unit: '/s',
        values: service,
        baselineName: 'one books on 3 partitions, same run',
        baselines: single,
        goal: '(reported)',
      }),
    ];
  } finally {
    await group.stop();
  }
}
