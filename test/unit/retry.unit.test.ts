import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../bookshelf/adapters/cli/options.js';
import { AgentError } from '../../bookshelf/adapters/consul/agent-api.js';
import { ConnectFailedError, UpstreamTimeoutError } from '../../bookshelf/adapters/http/proxy.js';
import { UnavailableError } from '../../bookshelf/app/errors.js';
import { isRetriable, retry, type RetryOptions } from '../../bookshelf/app/retry.js';
import { SnapshotRejected } from '../../bookshelf/app/snapshot-store.port.js';

const failure = (retriable?: boolean, name = 'Error') => Object.assign(new Error(`failure ${String(retriable)}`), { retriable, name });

/** An operation that fails with `failures` in turn, then answers 'done'; the pauses are recorded, not waited. */
function given(failures: Error[], options: Partial<RetryOptions> = {}) {
  const pauses: number[] = [];
  const retried: { attempt: number; delayMs: number; message: string }[] = [];
  let calls = 0;
  const run = () =>
    retry(
      (attempt) => {
        calls++;
        expect(attempt).toBe(calls - 1);
        const next = failures[attempt];
        return next ? Promise.reject(next) : Promise.resolve('done');
      },
      {
        initialMs: 250,
        maxMs: 5000,
        sleep: (ms) => {
          pauses.push(ms);
          return Promise.resolve();
        },
        onRetry: (error, attempt, delayMs) => void retried.push({ attempt, delayMs, message: (error as Error).message }),
        ...options,
      },
    );
  return { run, pauses, retried, calls: () => calls };
}

describe('retry', () => {
  describe('when the failure is marked not retriable', () => {
    it('throws it at once, without a pause', async () => {
      const final = failure(false);
      const { run, pauses, calls } = given([final]);
      await expect(run()).rejects.toBe(final);
      expect(calls()).toBe(1);
      expect(pauses).toEqual([]);
    });

    it('tries again when kafkajs only ran out of its own retries', async () => {
      const { run, calls } = given([failure(false, 'KafkaJSNumberOfRetriesExceeded')]);
      await expect(run()).resolves.toBe('done');
      expect(calls()).toBe(2);
    });

    it("tries again when the caller retries any failure (a connection kept for the process's life)", async () => {
      const { run, calls } = given([failure(false), failure(false)], { retryOn: 'any' });
      await expect(run()).resolves.toBe('done');
      expect(calls()).toBe(3);
    });
  });

  describe('when the failure is not marked', () => {
    it('tries again by default', async () => {
      await expect(given([new Error('plain')]).run()).resolves.toBe('done');
    });

    it('throws it at once when the caller retries only failures marked retriable', async () => {
      const plain = new Error('plain');
      const { run, calls } = given([failure(true), plain], { retryOn: 'marked' });
      await expect(run()).rejects.toBe(plain);
      expect(calls()).toBe(2);
    });
  });

  describe('when the failure is retriable', () => {
    it('tries again after pauses that double up to the cap, calling onRetry before each', async () => {
      const { run, pauses, retried } = given(Array.from({ length: 7 }, () => failure(true)));
      await expect(run()).resolves.toBe('done');
      expect(pauses).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
      expect(retried.map(({ attempt, delayMs }) => [attempt, delayMs])).toEqual(pauses.map((ms, attempt) => [attempt, ms]));
      expect(retried[0]?.message).toBe('failure true');
    });

    it('spreads each pause by the jitter, after the cap', async () => {
      const low = given([failure(true), failure(true), failure(true)], { maxMs: 500, jitter: 0.2, random: () => 0 });
      await low.run();
      expect(low.pauses).toEqual([200, 400, 400]);
      const high = given([failure(true)], { jitter: 0.2, random: () => 1 });
      await high.run();
      expect(high.pauses[0]).toBeCloseTo(300);
    });

    it('keeps the pause constant with a factor of 1', async () => {
      const { run, pauses } = given([failure(true), failure(true), failure(true)], { initialMs: 500, maxMs: 500, factor: 1 });
      await run();
      expect(pauses).toEqual([500, 500, 500]);
    });

    it('gives up after the attempts allowed, throwing the last failure', async () => {
      const last = failure(true);
      const { run, calls, pauses } = given([failure(true), failure(true), last, failure(true)], { attempts: 3 });
      await expect(run()).rejects.toBe(last);
      expect(calls()).toBe(3);
      expect(pauses).toHaveLength(2);
    });
  });

  describe('when told to stop', () => {
    it('throws the failure at hand instead of pausing', async () => {
      const first = failure(true);
      const { run, calls, pauses, retried } = given([first, failure(true)], { stop: () => true });
      await expect(run()).rejects.toBe(first);
      expect([calls(), pauses.length, retried.length]).toEqual([1, 0, 0]);
    });

    it('makes no attempt after a pause in which it was stopped', async () => {
      let stopped = false;
      const first = failure(true);
      const { run, calls } = given([first, failure(true)], {
        stop: () => stopped,
        sleep: () => {
          stopped = true;
          return Promise.resolve();
        },
      });
      await expect(run()).rejects.toBe(first);
      expect(calls()).toBe(1);
    });

    it('ends a pause under way when its signal aborts', async () => {
      const abort = new AbortController();
      const first = failure(true);
      const started = Date.now();
      const running = retry(() => Promise.reject(first), { initialMs: 60_000, maxMs: 60_000, signal: abort.signal });
      setTimeout(() => abort.abort(), 10);
      await expect(running).rejects.toBe(first);
      // A requirement, not a timing: a stop must not wait for the minute-long pause.
      expect(Date.now() - started).toBeLessThan(30_000);
    });
  });

  describe("with the project's own errors", () => {
    it('tries again what the service cannot do now but may soon', () => {
      const cause = new Error('connect ECONNREFUSED');
      for (const error of [
        new UnavailableError('broker_unavailable', 'Kafka is away'),
        new AgentError(503, 'Consul agent PUT /service/register: 503'),
        new ConnectFailedError({ address: '127.0.0.1', port: 1 }, cause),
        new SnapshotRejected('transfer', 'the transfer stalled', { cause }),
      ])
        expect(isRetriable(error, 'marked')).toBe(true);
    });

    it('throws at once what would fail the same way again, keeping the cause', async () => {
      const cause = new Error('not a number');
      const config = new ConfigError('port', 'must be a port', { cause });
      expect(config.cause).toBe(cause);
      for (const error of [
        config,
        new AgentError(400, 'Consul agent PUT /service/register: 400 bad check'),
        new UpstreamTimeoutError('no answer in 5000 ms'),
        new SnapshotRejected('corrupt', 'the checksum does not match'),
      ]) {
        const { run, calls } = given([error]);
        await expect(run()).rejects.toBe(error);
        expect(calls()).toBe(1);
      }
    });
  });
});
