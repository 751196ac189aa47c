/**
 * At-least-once writer over one or several clusters. `prepareCommit` returns only once every
 * record written before the barrier is acknowledged by a cluster (or, in replicate mode, by each
 * live cluster, and durably spilled for the others), so a completed checkpoint never covers an
 * unacknowledged record.
 */

import type { SinkWriter } from '@weir/core';
import type { ClusterLane } from './cluster-lane.js';
import type { OutMessage } from './cluster-producer.js';
import { toMessages } from './records.js';
import { splitByWeight } from './routing.js';
import { sleep } from './transactions.js';
import type { KafkaSinkMode, KafkaSinkOptions } from './types.js';

export interface LaneWithWeight {
  lane: ClusterLane;
  weight: number;
}

export class AtLeastOnceWriter<T> implements SinkWriter<T, never> {
  private parked: OutMessage[][] = [];
  private fatal: Error | undefined;
  private readonly counter = { n: 0 };

  constructor(
    private readonly o: Pick<KafkaSinkOptions<T>, 'serialize' | 'topic'> & { maxBufferedRecords: number; maxSpillRecords: number; spillAfterMs: number },
    private readonly mode: KafkaSinkMode,
    private readonly lanes: LaneWithWeight[],
  ) {}

  /** Lanes call this with messages taken back from a failed cluster. */
  readonly reroute = (messages: OutMessage[]): void => this.route(messages);

  /** Lanes call this when a cluster becomes available again. */
  readonly retryParked = (): void => {
    const parked = this.parked;
    this.parked = [];
    for (const m of parked) this.route(m);
  };

  readonly fail = (err: Error): void => {
    this.fatal ??= err;
  };

  write(records: readonly T[]): void | Promise<void> {
    if (this.fatal !== undefined) throw this.fatal;
    if (this.mode === 'replicate') {
      // wait before accepting: every live cluster is full, or a spill reached its bound
      if (this.mustWait()) return this.waitForRoom().then(() => this.write(records));
      const messages = toMessages(records, this.o);
      for (const { lane } of this.lanes) lane.replicate(messages);
      return undefined;
    }
    this.route(toMessages(records, this.o));
    if (this.mustWait()) return this.waitForRoom();
    return undefined;
  }

  async prepareCommit(): Promise<never[]> {
    const spillAt = Date.now() + this.o.spillAfterMs;
    for (;;) {
      if (this.fatal !== undefined) throw this.fatal;
      for (const { lane } of this.lanes) if (lane.producer.failed !== undefined) throw lane.producer.failed;
      if (this.parked.length === 0 && this.lanes.every((l) => l.lane.settled)) break;
      if (this.mode === 'replicate' && Date.now() >= spillAt) {
        for (const { lane } of this.lanes) if (!lane.settled) lane.spillUnacknowledged(`not acknowledged ${this.o.spillAfterMs} ms after a checkpoint barrier`);
        continue;
      }
      await this.progress(0);
    }
    for (const { lane } of this.lanes) await lane.syncSpill();
    return [];
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.lane.close()));
  }

  private route(messages: OutMessage[]): void {
    const available = this.lanes.filter((l) => l.lane.available);
    if (available.length === 0) {
      this.parked.push(messages);
      return;
    }
    if (this.mode === 'failover' || available.length === 1) {
      available[0]!.lane.send(messages).catch(() => undefined);
      return;
    }
    for (const [l, part] of splitByWeight(messages, available, (l) => l.weight, this.counter)) l.lane.send(part).catch(() => undefined);
  }

  /** Backpressure: nowhere to send (parked), the clusters in use are full, or a spill reached its bound. */
  private mustWait(): boolean {
    if (this.parked.length > 0) return true;
    const max = this.o.maxBufferedRecords;
    if (this.mode === 'replicate') {
      if (this.lanes.some((l) => l.lane.spillDepth >= this.o.maxSpillRecords)) return true;
      const live = this.lanes.filter((l) => l.lane.available);
      return live.length > 0 && live.every((l) => l.lane.pending >= max);
    }
    return this.lanes.some((l) => l.lane.pending >= max);
  }

  private async waitForRoom(): Promise<void> {
    while (this.mustWait()) {
      if (this.fatal !== undefined) throw this.fatal;
      await this.progress(this.o.maxBufferedRecords);
    }
  }

  /** Wait for a lane's pending count to drop (to below `room`, or by any acknowledgement) or a short poll interval (failures, recoveries, spill). */
  private progress(room: number): Promise<void> {
    const waits: Promise<unknown>[] = [sleep(20)];
    for (const { lane } of this.lanes) {
      const pending = lane.pending;
      if (pending > 0) waits.push(lane.producer.below(room > 0 ? Math.min(room, pending) : pending));
    }
    return Promise.race(waits).then(() => undefined);
  }
}
