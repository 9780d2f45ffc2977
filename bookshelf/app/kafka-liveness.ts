/** Whether Kafka answers, as the consumer reports it: a running consumer that has not fetched for a while counts as down. */
import type { KafkaLiveness, KafkaState } from './ports.js';

export interface KafkaStatus {
  state: KafkaState;
  error?: string;
  reachable: boolean;
}

export interface KafkaLivenessOptions {
  /** Without a fetch for this long, Kafka counts as unreachable. */
  staleAfterMs?: number;
  now?: () => number;
}

export function createKafkaLiveness({ staleAfterMs = 15_000, now = Date.now }: KafkaLivenessOptions = {}) {
  let state: KafkaState = 'connecting';
  let error: string | undefined;
  let lastFetch = 0;
  const report: KafkaLiveness = {
    setState(next: KafkaState, message?: string): void {
      state = next;
      error = message;
      if (next === 'running') lastFetch = now();
    },
    markFetched(): void {
      lastFetch = now();
      if (state !== 'running') {
        state = 'running';
        error = undefined;
      }
    },
  };
  return {
    /** The consumer's side: it says what it sees. */
    report,
    status(): KafkaStatus {
      const silent = now() - lastFetch;
      if (state === 'running' && silent > staleAfterMs)
        return { state: 'down', error: `no answer from Kafka for ${Math.round(silent / 1000)} s`, reachable: false };
      return { state, ...(error !== undefined && { error }), reachable: state === 'running' };
    },
  };
}

export type KafkaLivenessTracker = ReturnType<typeof createKafkaLiveness>;
