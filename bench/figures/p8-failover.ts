/**
 * P8 failover: three `books` on a 6-partition topic behind `shelf`; the owner of a book is killed with -9, and a
 * client keeps sending a command for that book (same Idempotency-Key, repeated after each 503): the time from the
 * kill to its first 2xx, next to the group's session timeout, which bounds how soon Kafka gives the partitions away.
 */
import { figure, type BenchContext, type Figure } from '../support/figure.js';
import { newTopic } from '../support/kafka.js';
import { idOn, startBooksGroup } from '../support/books-group.js';

const PARTITIONS = 6;
const SESSION_TIMEOUT_S = 10;

async function post(url: string, body: unknown, key: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }).catch(() => null);
  if (!response) return 0;
  await response.arrayBuffer();
  return response.status;
}

export async function failoverFigures(ctx: BenchContext): Promise<Figure[]> {
  const recoveries: number[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const topic = await newTopic(ctx, 'failover', PARTITIONS);
    const group = await startBooksGroup({ topic, partitions: PARTITIONS, instances: 3, sessionTimeoutS: SESSION_TIMEOUT_S });
    try {
      const victim = group.books[0]!;
      const victimId = (await (await fetch(`${victim.url}/health`)).json()) as { ownership: { owned: number[] } };
      const partition = victimId.ownership.owned[0]!;
      const book = idOn(partition, PARTITIONS);
      if ((await post(`${group.shelf.url}/bookshelf/books`, { id: book, title: 'Failover' }, `add-${book}`)) !== 201)
        throw new Error('P8: could not add the book');
      victim.child.kill('SIGKILL');
      const killedAt = Date.now();
      for (;;) {
        const status = await post(`${group.shelf.url}/bookshelf/books/${book}/finished`, undefined, `finish-${book}`);
        if (status >= 200 && status < 300) break;
        if (Date.now() - killedAt > 60_000) throw new Error(`P8: no 2xx for the killed owner's book within 60 s (last ${status})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      recoveries.push((Date.now() - killedAt) / 1000);
      ctx.log(
        `P8 run ${run + 1}: first 2xx for a book of the killed owner after ${recoveries[run]!.toFixed(2)} s (session timeout ${SESSION_TIMEOUT_S} s)`,
      );
    } finally {
      await group.stop();
    }
  }
  return [
    figure({
      id: 'P8',
      what: `kill -9 of a books owner (3 on ${PARTITIONS} partitions, behind shelf) → first 2xx for a book it owned`,
      unit: 's',
      values: recoveries,
      baselineName: 'the group session timeout',
      baselines: recoveries.map(() => SESSION_TIMEOUT_S),
      goal: `≤ session timeout + 2 s`,
      meets: (seconds) => seconds <= SESSION_TIMEOUT_S + 2,
    }),
  ];
}
