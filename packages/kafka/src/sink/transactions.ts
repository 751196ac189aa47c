/**
 * Producer ids and transaction ends through the transport, with retries on coordinator moves and
 * connection errors. EndTxn is sent with the producerId/epoch stored in a committable, which is
 * how a restored job commits a transaction a crashed process left open.
 */

import { errorText, isFenced, isRetriable } from '../transport/errors.js';
import type { KafkaTransport, ProducerIdentity } from '../transport/types.js';

export type { ProducerIdentity } from '../transport/types.js';

/** Retry `fn` on retriable errors with exponential backoff until `timeoutMs` has passed. */
export async function withRetries<R>(what: string, timeoutMs: number, fn: () => Promise<R>): Promise<R> {
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
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }
}

/**
 * InitProducerId: a fresh producer epoch. For a transactional id this fences older producers
 * and makes the coordinator abort the id's open transaction (how leftovers are aborted).
 */
export async function initProducerId(
  transport: KafkaTransport,
  transactionalId: string | undefined,
  transactionTimeoutMs: number,
  timeoutMs: number,
): Promise<ProducerIdentity> {
  return withRetries(`InitProducerId(${transactionalId ?? 'idempotent'})`, timeoutMs, () => transport.initProducerId({ transactionalId, transactionTimeoutMs }));
}

/** AddPartitionsToTxn for partitions about to receive their first record of the transaction. */
export async function addPartitionsToTxn(
  transport: KafkaTransport,
  transactionalId: string,
  id: ProducerIdentity,
  topics: Array<{ topic: string; partitions: number[] }>,
  timeoutMs: number,
): Promise<void> {
  await withRetries(`AddPartitionsToTxn(${transactionalId})`, timeoutMs, () => transport.addPartitionsToTxn({ transactionalId, ...id, topics }));
}

export type EndTxnOutcome = 'ended' | 'fenced';

/**
 * EndTxn(commit|abort) with a stored producer id and epoch. Idempotent for a transaction that
 * already ended the same way; `fenced` when a newer epoch of the id exists (the transaction was
 * completed before the id was re-initialised, or it was aborted by a timeout).
 */
export async function endTxn(transport: KafkaTransport, transactionalId: string, id: ProducerIdentity, commit: boolean, timeoutMs: number): Promise<EndTxnOutcome> {
  try {
    await withRetries(`EndTxn(${transactionalId}, ${commit ? 'commit' : 'abort'})`, timeoutMs, () =>
      transport.endTxn({ transactionalId, producerId: id.producerId, producerEpoch: id.producerEpoch, commit }),
    );
    return 'ended';
  } catch (err) {
    if (isFenced((err as { cause?: unknown }).cause ?? err)) return 'fenced';
    throw err;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
