/** A Kafka broker of a test's own (compose/kafka-run.sh on free ports), to stop and start at will. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portAnswers } from './infra.js';
import { freePort, killNow } from './processes.js';
import { waitFor } from './wait-for.js';

const kafkaRun = fileURLToPath(new URL('../../compose/kafka-run.sh', import.meta.url));

export async function extraBroker() {
  const port = await freePort();
  const controllerPort = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'bookshelf-kafka-'));
  let child: ChildProcess | undefined;
  return {
    address: `127.0.0.1:${port}`,
    async start(): Promise<void> {
      child = spawn('bash', [kafkaRun, '--port', String(port), '--controller-port', String(controllerPort), '--data', data], {
        stdio: 'ignore',
        env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx512m -Xms128m' },
      });
      await waitFor(() => portAnswers(port), { timeout: 60_000, interval: 200, what: `broker on ${port}` });
    },
    async stop(): Promise<void> {
      const current = child;
      child = undefined;
      await killNow(current);
    },
    async remove(): Promise<void> {
      await this.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}
