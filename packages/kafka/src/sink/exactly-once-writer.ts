/**
 * Exactly-once writer: the records between two barriers form one Kafka transaction per target
 * cluster. A pool of transactional ids `<prefix>-<subtask>-<slot>` is used round-robin: at
 * barrier n the open transactions are flushed (every record acknowledged) and handed over as
 * committables WITHOUT committing; records after the barrier go to the next free slot. A slot
 * is free again once the committer ended its transaction. Each transaction starts with
 * InitProducerId, so every transaction has its own producer epoch: a stored (producerId, epoch)
 * can only ever end the transaction it was recorded for.
 */

import { inCluster } from './cluster-error.js';
import type { SinkContext, SinkWriter } from '@weir/core';
import type { ClusterProducer, OutMessage } from './cluster-producer.js';
import { toMessages } from './records.js';
import { endTxn } from './transactions.js';
import { splitByWeight } from './routing.js';
import type { KafkaSinkMode, KafkaSinkOptions, KafkaTransactionCommittable } from './types.js';

/** Prepared transactions not yet ended, shared by the writer and the committer of one subtask. */
export class TransactionRegistry {
  readonly pending = new Map<string, KafkaTransactionCommittable>();

  static keyOf(c: KafkaTransactionCommittable): string {
    return `${c.cluster}\u0000${c.slot}`;
  }

  slotBusy(slot: number): boolean {
    for (const c of this.pending.values()) if (c.slot === slot) return true;
    return false;
  }

  /** The committer ended this transaction. */
  ended(c: KafkaTransactionCommittable): void {
    const k = TransactionRegistry.keyOf(c);
    const p = this.pending.get(k);
    if (p !== undefined && p.producerId === c.producerId && p.producerEpoch === c.producerEpoch) this.pending.delete(k);
  }
}

export interface ExactlyOnceTarget {
  name: string;
  weight: number;
  producer: ClusterProducer;
}

export function transactionalId(prefix: string, subtask: number, slot: number): string {
  return `${prefix}-${subtask}-${slot}`;
}

export class ExactlyOnceWriter<T> implements SinkWriter<T, KafkaTransactionCommittable> {
  private slot: number;
  /** Per target: the transaction of the current slot has begun (InitProducerId sent). */
  private begun: Array<Promise<unknown> | undefined>;
  private failure: unknown;
  private readonly counter = { n: 0 };

  constructor(
    private readonly o: Pick<KafkaSinkOptions<T>, 'serialize' | 'topic'> & {
      prefix: string;
      poolSize: number;
      maxBufferedRecords: number;
      deliveryTimeoutMs: number;
    },
    private readonly mode: KafkaSinkMode,
    private readonly targets: ExactlyOnceTarget[],
    private readonly registry: TransactionRegistry,
    private readonly ctx: SinkContext,
  ) {
    this.begun = targets.map(() => undefined);
    this.slot = ctx.nextCheckpointId % o.poolSize;
    if (registry.slotBusy(this.slot)) this.slot = this.nextFreeSlot();
  }

  write(records: readonly T[]): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const messages = toMessages(records, this.o);
    const waits: Promise<unknown>[] = [];
    const route = this.route(messages);
    for (const [i, list] of route) {
      const t = this.targets[i]!;
      let begun = this.begun[i];
      if (begun === undefined) {
        begun = t.producer.begin(transactionalId(this.o.prefix, this.ctx.subtask, this.slot), this.o.deliveryTimeoutMs);
        this.begun[i] = begun;
      }
      const sent = begun.then(() => t.producer.send(list));
      sent.catch((err) => void (this.failure ??= inCluster(t.name, err)));
      // backpressure: wait until the queue is below its bound again (not until this batch is acknowledged)
      if (t.producer.pending + list.length > this.o.maxBufferedRecords) waits.push(begun.then(() => t.producer.below(this.o.maxBufferedRecords)));
    }
    if (waits.length > 0) {
      return Promise.all(waits).then(() => {
        if (this.failure !== undefined) throw this.failure;
      });
    }
    return undefined;
  }

  /** Flush every open transaction and hand them (and any earlier ones not yet ended) to the checkpoint. */
  async prepareCommit(checkpointId: number): Promise<KafkaTransactionCommittable[]> {
    let opened = false;
    for (let i = 0; i < this.targets.length; i++) {
      const begun = this.begun[i];
      if (begun === undefined) continue;
      const t = this.targets[i]!;
      try {
        await begun;
        await t.producer.flush();
      } catch (err) {
        throw inCluster(t.name, err);
      }
      if (this.failure !== undefined) throw this.failure;
      const id = t.producer.producer;
      if (id === undefined || !t.producer.transactionHasData) continue;
      const c: KafkaTransactionCommittable = {
        cluster: t.name,
        transactionalId: transactionalId(this.o.prefix, this.ctx.subtask, this.slot),
        producerId: id.producerId,
        producerEpoch: id.producerEpoch,
        checkpointId,
        slot: this.slot,
      };
      this.registry.pending.set(TransactionRegistry.keyOf(c), c);
      opened = true;
    }
    if (this.failure !== undefined) throw this.failure;
    this.begun = this.targets.map(() => undefined);
    if (opened) this.slot = this.nextFreeSlot();
    return [...this.registry.pending.values()].sort((a, b) => a.checkpointId - b.checkpointId);
  }

  /**
   * Abort the transactions opened since the last barrier (no checkpoint can refer to them; left
   * open they would hold back read_committed consumers until the transaction timeout), then close.
   * Prepared transactions stay open for the committer or the next restore.
   */
  async close(): Promise<void> {
    await Promise.all(
      this.targets.map(async (t, i) => {
        const begun = this.begun[i];
        if (begun !== undefined) {
          await begun.catch(() => undefined);
          const id = t.producer.producer;
          const hasData = t.producer.transactionHasData;
          t.producer.abandon(new Error('writer closed')); // no more sends for this transaction
          if (id !== undefined && hasData) {
            const txId = transactionalId(this.o.prefix, this.ctx.subtask, this.slot);
            await endTxn(t.producer.transport, txId, id, false, Math.min(2_000, this.o.deliveryTimeoutMs)).catch(() => undefined);
          }
        }
        await t.producer.close();
      }),
    );
  }

  private nextFreeSlot(): number {
    for (let k = 1; k <= this.o.poolSize; k++) {
      const s = (this.slot + k) % this.o.poolSize;
      if (!this.registry.slotBusy(s)) return s;
    }
    throw new Error(
      `kafka sink: all ${this.o.poolSize} transactional ids of ${this.o.prefix}-${this.ctx.subtask} hold prepared transactions that no checkpoint committed yet; raise transactionPoolSize or fix failing checkpoints`,
    );
  }

  /** Which target gets which records: every target (replicate), the first (failover), by weight (balance). */
  private route(messages: OutMessage[]): Map<number, OutMessage[]> {
    const out = new Map<number, OutMessage[]>();
    if (this.mode === 'replicate') this.targets.forEach((_, i) => out.set(i, messages));
    else if (this.mode === 'failover' || this.targets.length === 1) out.set(0, messages);
    else {
      const idx = this.targets.map((_, i) => i);
      for (const [i, list] of splitByWeight(messages, idx, (i) => this.targets[i]!.weight, this.counter)) out.set(i, list);
    }
    return out;
  }
}
