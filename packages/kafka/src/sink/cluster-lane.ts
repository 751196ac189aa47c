/**
 * One cluster of an at-least-once writer: an idempotent producer with a bounded number of
 * unacknowledged records, a circuit breaker, and (replicate mode) a durable spill.
 *
 * When the breaker opens (consecutive failed requests, or a batch past the delivery timeout)
 * the lane abandons what its producer still holds: in route modes the messages go back to the
 * writer for another cluster; in replicate mode they go to the front of the spill, and every
 * later record for this cluster is spilled behind them until the spill is drained, in order,
 * after a probe found the cluster healthy again.
 */

import { inCluster } from './cluster-error.js';
import type { Logger } from '@weir/core';
import { CircuitBreaker } from './circuit-breaker.js';
import { ClusterProducer, type ClusterProducerOptions, type OutMessage } from './cluster-producer.js';
import type { Spill } from './spill.js';
import type { KafkaClusterStats } from './types.js';

/** Reason given to sends that were handed elsewhere because the cluster failed. */
export class AbandonedError extends Error {}

export interface ClusterLaneOptions {
  name: string;
  producer: Omit<ClusterProducerOptions, 'onRequest' | 'onStuck'>;
  failureThreshold: number;
  resetTimeoutMs: number;
  maxBufferedRecords: number;
  logger: Logger;
  /** Replicate mode: where records for this cluster wait while it is down or behind. */
  spill?: Spill;
  /** Route modes: messages taken back from a failed cluster. */
  onReturn?: (messages: OutMessage[]) => void;
  /** The cluster became usable again. */
  onAvailable?: () => void;
  /** A non-retriable error: the job must fail. */
  onFatal: (err: Error) => void;
}

export class ClusterLane {
  readonly name: string;
  readonly producer: ClusterProducer;
  readonly breaker: CircuitBreaker;
  acknowledged = 0;
  private ready = false;
  private spilling = false;
  private directOutstanding = 0;
  private generation = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private draining = false;
  private drainInFlight = false;
  private closed = false;

  constructor(private readonly o: ClusterLaneOptions) {
    this.name = o.name;
    this.breaker = new CircuitBreaker(o.failureThreshold, o.resetTimeoutMs);
    this.producer = new ClusterProducer({
      ...o.producer,
      onRequest: (ok) => (ok ? this.onSuccess() : this.onFailure()),
      onStuck: (err) => this.trip(err.message),
    });
  }

  async start(): Promise<void> {
    if (this.o.spill !== undefined && !this.o.spill.empty) this.spilling = true;
    try {
      await this.producer.connect();
      await this.producer.begin(undefined, this.probeTimeout());
      this.ready = true;
    } catch (err) {
      this.o.logger.warn({ cluster: this.name, err: String(err) }, 'kafka sink: cluster unavailable at start');
      this.breaker.open();
      this.scheduleProbe();
    }
    void this.drain();
  }

  /** Usable for new records. */
  get available(): boolean {
    return this.ready && this.breaker.state === 'closed';
  }

  /** Route modes: everything handed over was acknowledged or taken back. Replicate: direct sends acknowledged or spilled. */
  get settled(): boolean {
    return this.o.spill !== undefined ? this.directOutstanding === 0 : this.producer.pending === 0;
  }

  get pending(): number {
    return this.producer.pending;
  }

  /** Records waiting in the spill (replicate mode). */
  get spillDepth(): number {
    return this.o.spill?.depth ?? 0;
  }

  stats(): KafkaClusterStats {
    return {
      name: this.name,
      state: this.breaker.state,
      pending: this.producer.pending,
      spillDepth: this.spillDepth,
      acknowledged: this.acknowledged,
      failures: this.breaker.totalFailures,
    };
  }

  /** Route modes: send now (the writer checked `available`). Resolves on acknowledgement. */
  send(messages: OutMessage[]): Promise<void> {
    const n = messages.length;
    const p = this.producer.send(messages);
    p.then(
      () => void (this.acknowledged += n),
      (err) => this.onSendError(err),
    );
    return p;
  }

  /** Replicate mode: send directly when healthy and not behind, else spill (never waits). */
  replicate(messages: OutMessage[]): void {
    const spill = this.o.spill!;
    if (this.spilling || !this.available || this.producer.pending >= this.o.maxBufferedRecords) {
      spill.append(messages);
      this.spilling = true;
      void this.drain();
      return;
    }
    const n = messages.length;
    const gen = this.generation;
    this.directOutstanding += n;
    this.producer.send(messages).then(
      () => {
        this.acknowledged += n;
        if (gen === this.generation) this.directOutstanding -= n;
      },
      (err) => this.onSendError(err),
    );
  }

  /**
   * Replicate mode, at a barrier: records sent directly and still unacknowledged after the grace
   * period are moved to the spill (the cluster is treated as failed and probed again), so one slow
   * cluster cannot hold back the checkpoint of all of them.
   */
  spillUnacknowledged(reason: string): void {
    if (this.o.spill !== undefined && this.directOutstanding > 0) this.trip(reason);
  }

  /** Make spilled records durable. */
  async syncSpill(): Promise<void> {
    await this.o.spill?.sync();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer !== undefined) clearTimeout(this.probeTimer);
    await this.producer.close();
    await this.o.spill?.close();
  }

  // ---- health -------------------------------------------------------------------------

  private onSuccess(): void {
    if (this.breaker.success()) this.recovered();
  }

  private onFailure(): void {
    if (this.breaker.failure()) this.trip('circuit breaker opened');
  }

  private onSendError(err: unknown): void {
    if (err instanceof AbandonedError || this.closed) return;
    this.o.onFatal(inCluster(this.name, err));
  }

  /** Give up on the cluster for now: take back what its producer holds, probe later. */
  private trip(reason: string): void {
    if (this.closed) return;
    this.ready = false;
    if (this.breaker.state !== 'open') this.breaker.open();
    const wasDraining = this.drainInFlight;
    const messages = this.producer.abandon(new AbandonedError(`${this.name}: ${reason}`));
    this.generation++;
    this.directOutstanding = 0;
    this.o.logger.warn({ cluster: this.name, reason, returned: messages.length }, 'kafka sink: cluster failed');
    if (this.o.spill !== undefined) {
      // records being drained are still in the spill; direct ones are older than anything spilled
      if (!wasDraining && messages.length > 0) this.o.spill.prepend(messages);
      this.spilling = true;
    } else if (messages.length > 0) {
      this.o.onReturn?.(messages);
    }
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer !== undefined || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe();
    }, this.breaker.probeDelay());
  }

  private async probe(): Promise<void> {
    if (this.closed) return;
    this.breaker.beginProbe();
    try {
      await this.producer.begin(undefined, this.probeTimeout());
      this.ready = true;
      this.breaker.success();
      this.recovered();
    } catch {
      this.breaker.failure();
      if (this.breaker.state !== 'open') this.breaker.open();
      this.scheduleProbe();
    }
  }

  private recovered(): void {
    if (!this.ready) return;
    this.o.logger.info({ cluster: this.name }, 'kafka sink: cluster available');
    this.o.onAvailable?.();
    void this.drain();
  }

  private probeTimeout(): number {
    return Math.min(2_000, this.o.producer.deliveryTimeoutMs);
  }

  // ---- spill --------------------------------------------------------------------------

  /** Deliver the spill in order while the cluster is healthy; stop spilling once empty. */
  private async drain(): Promise<void> {
    const spill = this.o.spill;
    if (spill === undefined || this.draining) return;
    this.draining = true;
    try {
      while (!this.closed && this.spilling && this.available) {
        if (this.directOutstanding > 0) {
          // older records sent directly go first
          await this.producer.flush().catch(() => undefined);
          continue;
        }
        const chunks = await spill.readOldest(this.o.producer.maxBatchMessages * 4);
        if (!this.available) break;
        if (chunks.length === 0) {
          if (!spill.empty) continue; // appended while reading
          this.spilling = false;
          break;
        }
        const messages = chunks.flatMap((c) => c.messages);
        this.drainInFlight = true;
        try {
          await this.producer.send(messages);
        } catch (err) {
          this.onSendError(err);
          break;
        } finally {
          this.drainInFlight = false;
        }
        this.acknowledged += messages.length;
        spill.remove(chunks);
      }
    } catch (err) {
      this.o.onFatal(inCluster(this.name, err));
    } finally {
      this.draining = false;
    }
  }
}
