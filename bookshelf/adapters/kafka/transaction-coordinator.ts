/**
 * kafkajs asks Kafka which broker coordinates a transactional id before every AddPartitionsToTxn and every EndTxn:
 * two of a transaction's five round trips. The coordinator of an id moves only when a broker fails, so each client
 * remembers it until a request to it fails (other than "a transaction is still ending", which is retried in place)
 * or its connection is lost, and then asks again.
 */
import { createRequire } from 'node:module';

type Broker = Record<string | symbol, unknown> & { isConnected(): boolean };

interface Cluster {
  findGroupCoordinator: (this: Cluster, args: { groupId: string; coordinatorType?: number }) => Promise<Broker>;
}

/** FindCoordinator's key type for a transactional id (0 is a consumer group). */
const TRANSACTION = 1;

let installed = false;

/** Calls to `broker` that fail, except with `keep`'s errors, call `forget` first. */
function forgettingOnError(broker: Broker, forget: () => void): Broker {
  return new Proxy(broker, {
    get(target, property) {
      const value = target[property];
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          if ((error as { type?: unknown }).type !== 'CONCURRENT_TRANSACTIONS') forget();
          throw error;
        });
      };
    },
  });
}

/** Makes every kafkajs client of this process remember its transaction coordinators; once is enough. */
export function rememberTransactionCoordinators(): void {
  if (installed) return;
  installed = true;
  // kafkajs keeps its cluster class internal: the transactional producer reaches it only through this prototype.
  const { prototype } = createRequire(import.meta.url)('kafkajs/src/cluster/index.js') as { prototype: Cluster };
  const find = prototype.findGroupCoordinator;
  const known = new WeakMap<Cluster, Map<string, Broker>>();

  prototype.findGroupCoordinator = async function (args) {
    if (args.coordinatorType !== TRANSACTION) return find.call(this, args);
    const ofCluster = known.get(this) ?? new Map<string, Broker>();
    known.set(this, ofCluster);
    const remembered = ofCluster.get(args.groupId);
    if (remembered?.isConnected()) return remembered;
    const broker = forgettingOnError(await find.call(this, args), () => ofCluster.delete(args.groupId));
    ofCluster.set(args.groupId, broker);
    return broker;
  };
}
