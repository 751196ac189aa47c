/**
 * Producer ids and transaction ends through the low-level KafkaJS API, with retries on
 * coordinator moves and connection errors. EndTxn is sent with the producerId/epoch stored in a
 * committable, which is how a restored job commits a transaction a crashed process left open.
 */

import { errorText, forgetBrokerOnConnectionError, isFenced, isRetriable, TRANSACTION_COORDINATOR, type LowLevelBroker, type LowLevelCluster } from './kafkajs-internals.js';

export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

/** Retry `fn` on retriable errors with exponential backoff until `timeoutMs` has passed. */
export async function withRetries<R>(cluster: LowLevelCluster, what: string, timeoutMs: number, fn: () => Promise<R>): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  let backoff = 50;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriable(err) || Date.now() + backoff > deadline) {
        const e = new Error(`${what} failed: ${errorText(err)}`, { cause: err });
        (e as Error & { type?: string }).type = (err as { type?: string }).type;
        throw e;
      }
      forgetBrokerOnConnectionError(cluster, err);
      await sleep(backoff);
      if ((err as { name?: string }).name === 'KafkaJSMetadataNotLoaded') await cluster.refreshMetadata().catch(() => undefined);
      backoff = Math.min(backoff * 2, 1000);
      if (!cluster.isConnected()) await cluster.connect().catch(() => undefined);
    }
  }
}

function coordinator(cluster: LowLevelCluster, transactionalId: string): Promise<LowLevelBroker> {
  return cluster.findGroupCoordinator({ groupId: transactionalId, coordinatorType: TRANSACTION_COORDINATOR });
}

/**
 * InitProducerId: a fresh producer epoch. For a transactional id this fences older producers
 * and makes the coordinator abort the id's open transaction (how leftovers are aborted).
 */
export async function initProducerId(
  cluster: LowLevelCluster,
  transactionalId: string | undefined,
  transactionTimeoutMs: number,
  timeoutMs: number,
): Promise<ProducerIdentity> {
  return withRetries(cluster, `InitProducerId(${transactionalId ?? 'idempotent'})`, timeoutMs, async () => {
    const broker = transactionalId === undefined ? await anyBroker(cluster) : await coordinator(cluster, transactionalId);
    const r = await broker.initProducerId({ transactionalId, transactionTimeout: transactionTimeoutMs });
    return { producerId: Number(r.producerId), producerEpoch: Number(r.producerEpoch) };
  });
}

async function anyBroker(cluster: LowLevelCluster): Promise<LowLevelBroker> {
  if (!cluster.isConnected()) await cluster.connect();
  await cluster.refreshMetadataIfNecessary();
  return cluster.findControllerBroker();
}

/** AddPartitionsToTxn for partitions about to receive their first record of the transaction. */
export async function addPartitionsToTxn(
  cluster: LowLevelCluster,
  transactionalId: string,
  id: ProducerIdentity,
  topics: Array<{ topic: string; partitions: number[] }>,
  timeoutMs: number,
): Promise<void> {
  await withRetries(cluster, `AddPartitionsToTxn(${transactionalId})`, timeoutMs, async () => {
    const broker = await coordinator(cluster, transactionalId);
    await broker.addPartitionsToTxn({ transactionalId, ...id, topics });
  });
}

export type EndTxnOutcome = 'ended' | 'fenced';

/**
 * EndTxn(commit|abort) with a stored producer id and epoch. Idempotent for a transaction that
 * already ended the same way; `fenced` when a newer epoch of the id exists (the transaction was
 * completed before the id was re-initialised, or it was aborted by a timeout).
 */
export async function endTxn(
  cluster: LowLevelCluster,
  transactionalId: string,
  id: ProducerIdentity,
  commit: boolean,
  timeoutMs: number,
): Promise<EndTxnOutcome> {
  try {
    await withRetries(cluster, `EndTxn(${transactionalId}, ${commit ? 'commit' : 'abort'})`, timeoutMs, async () => {
      const broker = await coordinator(cluster, transactionalId);
      await broker.endTxn({ transactionalId, producerId: id.producerId, producerEpoch: id.producerEpoch, transactionResult: commit });
    });
    return 'ended';
  } catch (err) {
    if (isFenced((err as { cause?: unknown }).cause ?? err)) return 'fenced';
    throw err;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
