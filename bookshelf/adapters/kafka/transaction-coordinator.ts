/**
 * kafkajs asks Kafka which broker coordinates a transactional id before every AddPartitionsToTxn and every EndTxn:
 * two of a transaction's five round trips. The coordinator of an id moves only when a broker fails, so each client
 * remembers it until a request to it fails (other than "a transaction is still ending", which is retried in place)
 * or its connection is lost, and then asks again. An AddPartitionsToTxn refused because the last commit's markers are
 * still being written is asked again in place a millisecond later: kafkajs would refresh its metadata first (a round
 * trip) and wait 2, 3, 4.5 ms and more.
 */
// The module kafkajs itself loads, so that the change reaches its clients, bundled or not.
import kafkajsCluster from 'kafkajs/src/cluster/index.js';

type Broker = Record<string | symbol, unknown> & { isConnected(): boolean };

interface Cluster {
  findGroupCoordinator: (this: Cluster, args: { groupId: string; coordinatorType?: number }) => Promise<Broker>;
}

/** FindCoordinator's key type for a transactional id (0 is a consumer group). */
const TRANSACTION = 1;
/** In-place tries of a refused AddPartitionsToTxn, a millisecond apart, before kafkajs's own retries take over. */
const CONCURRENT_RETRIES = 20;

const isConcurrent = (error: unknown): boolean => (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `call` again while Kafka answers CONCURRENT_TRANSACTIONS, `CONCURRENT_RETRIES` times at most. */
async function whileConcurrent(call: () => Promise<unknown>, refused: unknown): Promise<unknown> {
  let last = refused;
  for (let attempt = 0; attempt < CONCURRENT_RETRIES; attempt++) {
    await sleep(1);
    try {
      return await call();
    } catch (error) {
      if (!isConcurrent(error)) throw error;
      last = error;
    }
  }
  throw last;
}

let installed = false;

/** Calls to `broker` that fail, except with `keep`'s errors, call `forget` first. */
function forgettingOnError(broker: Broker, forget: () => void): Broker {
  return new Proxy(broker, {
    get(target, property) {
      const value = target[property];
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call = () => (value as (...a: unknown[]) => unknown).apply(target, args);
        const result: unknown = call();
        if (!(result instanceof Promise)) return result;
        return result
          .catch((error: unknown) => {
            if (property !== 'addPartitionsToTxn' || !isConcurrent(error)) throw error;
            return whileConcurrent(call as () => Promise<unknown>, error);
          })
          .catch((error: unknown) => {
            if (!isConcurrent(error)) forget();
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
  const prototype = kafkajsCluster.prototype as Cluster;
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
