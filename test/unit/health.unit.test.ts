import { describe, expect, it } from 'vitest';
import { followerHealth, type FollowerState } from '../../bookshelf/app/health.js';
import { createKafkaLiveness } from '../../bookshelf/app/kafka-liveness.js';

function liveness() {
  let clock = 1_000_000;
  return { kafka: createKafkaLiveness({ now: () => clock, staleAfterMs: 15_000 }), advance: (ms: number) => (clock += ms) };
}

describe('Kafka liveness, as the consumer reports it', () => {
  it('is unreachable while connecting, and names the error once down', () => {
    const { kafka } = liveness();
    expect(kafka.status()).toEqual({ state: 'connecting', reachable: false });
    kafka.report.setState('down', 'no broker');
    expect(kafka.status()).toEqual({ state: 'down', error: 'no broker', reachable: false });
  });

  it('is reachable again on the next fetch, without the old error', () => {
    const { kafka } = liveness();
    kafka.report.setState('down', 'no broker');
    kafka.report.markFetched();
    expect(kafka.status()).toEqual({ state: 'running', reachable: true });
  });

  describe('when a running consumer has not fetched for longer than allowed', () => {
    it('counts as down, says for how long, and is up again at the next fetch', () => {
      const { kafka, advance } = liveness();
      kafka.report.setState('running');
      advance(15_000);
      expect(kafka.status().reachable).toBe(true);
      advance(5_000);
      expect(kafka.status()).toEqual({ state: 'down', error: 'no answer from Kafka for 20 s', reachable: false });
      kafka.report.markFetched();
      expect(kafka.status().reachable).toBe(true);
    });
  });
});

describe('the health of a process that follows the log', () => {
  const state = (change: Partial<FollowerState>): FollowerState => ({
    topic: 't',
    kafka: { state: 'running', reachable: true },
    restoring: false,
    caughtUp: true,
    progress: { lag: 0, partitions: {} },
    events: { applied: 3, rejected: 1, ignored: 0, duplicates: 0 },
    restored: undefined,
    ...change,
  });

  it('passes when Kafka answers and the log is read, and warns while catching up', () => {
    expect(followerHealth(state({}))).toMatchObject({ status: 'pass', kafka: 'running', caughtUp: true });
    expect(followerHealth(state({ caughtUp: false })).status).toBe('warn');
  });

  it('fails while Kafka does not answer, with the reason', () => {
    const kafka = { state: 'down' as const, error: 'no broker', reachable: false };
    expect(followerHealth(state({ kafka, caughtUp: false }))).toMatchObject({ status: 'fail', kafka: 'down', error: 'no broker' });
  });

  it('only warns while a snapshot is being loaded, before Kafka is asked', () => {
    expect(followerHealth(state({ restoring: true, kafka: { state: 'connecting', reachable: false } })).status).toBe('warn');
  });

  it('says where the state came from and how many events were applied since', () => {
    const report = followerHealth(state({ restored: { from: 'snapshot', origin: 'peer', peer: 'p-1' } }));
    expect(report.restored).toEqual({ from: 'snapshot', origin: 'peer', peer: 'p-1', replayed: 3 });
    expect(followerHealth(state({})).restored).toBeUndefined();
  });
});
