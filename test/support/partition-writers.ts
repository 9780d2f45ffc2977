/** A partition writer of partition 0 on its own client, closed by the test file's cleanup. */
import type { WriterFailure } from '../../bookshelf/adapters/kafka/partition-writer.js';
import { createPartitionWriter } from '../../bookshelf/adapters/kafka/partition-writer.js';
import { createKafka } from '../../bookshelf/adapters/kafka/kafka-client.js';
import { KAFKA } from './infra.js';
import { silentLogger } from './silent-logger.js';

export function partitionWriter(
  cleanup: (() => unknown)[],
  topic: string,
  transactionalId: string,
  onFailure: (kind: WriterFailure) => void = () => undefined,
) {
  const kafka = createKafka({ brokers: [KAFKA], clientId: 'partition-writer-test', logger: silentLogger() });
  const created = createPartitionWriter({ kafka, logger: silentLogger(), topic, partition: 0, transactionalId, onFailure });
  cleanup.push(() => created.close());
  return created;
}
