/**
 * Once per test run: Kafka and Consul, reused when they already answer, started otherwise
 * (compose/infra.sh up) and stopped again at the end if this run started them; the run's state folder deleted.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONSUL_HTTP_PORT as consulPort, KAFKA_PORT as kafkaPort } from '../../harness/infra-addresses.js';
import { portAnswers } from './infra.js';
import { testStateHome } from './state-home.js';

const infra = fileURLToPath(new URL('../../compose/infra.sh', import.meta.url));

export default async function setup(): Promise<() => void> {
  const answering = { kafka: await portAnswers(kafkaPort), consul: await portAnswers(consulPort) };
  execFileSync('bash', [infra, 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const startedHere = Object.entries(answering)
    .filter(([, up]) => !up)
    .map(([name]) => name);
  return () => {
    rmSync(testStateHome, { recursive: true, force: true });
    if (startedHere.length === 0 || process.env.BOOKSHELF_KEEP_INFRA === '1') return;
    execFileSync('bash', [infra, 'down', ...startedHere], { stdio: ['ignore', 'inherit', 'inherit'] });
  };
}
