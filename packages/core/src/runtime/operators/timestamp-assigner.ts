/**
 * Event time assigned after any step (Flink's `assignTimestampsAndWatermarks` on a stream):
 * records are parsed — and dead-lettered if malformed — before their timestamp is read, and
 * an extractor that throws dead-letters the record with its source position instead of
 * failing the job. Watermarks stay per source split: a batch's split is known from its
 * origin, so a slow or stopped cluster holds event time back exactly as it would at the
 * source. Batches whose origin is unknown (after a keyed step) share one generator.
 */

import type { ErrorPolicy } from '../../api/graph.js';
import type { SplitMetrics } from '../../metrics/step-metrics.js';
import { SplitWatermarks } from '../../time/split-watermarks.js';
import { MAX_WATERMARK, type WatermarkStrategy } from '../../time/types.js';
import { derivedOrigin, originOf, setOrigin } from '../batch-origin.js';
import type { Mailbox } from '../mailbox.js';
import { andThen, type MaybePromise } from '../maybe-async.js';
import { RuntimeNode, type NodeServices, type SplitEvent } from '../node.js';
import { timerSchedulerFor } from '../timer-scheduler.js';

/** The generator key of batches whose source split is not known. */
const UNKNOWN_SPLIT = '*';
/** How often idleness is re-evaluated when no records arrive (Flink's auto-watermark interval). */
const TICK_MS = 200;
/** How often split watermarks and idleness are copied into the split metrics. */
const SPLIT_STATUS_INTERVAL_MS = 500;

export interface TimestampAssignerDeps {
  mailbox: Mailbox;
  splitMetrics(step: string, split: string): SplitMetrics;
}

export class TimestampAssignerNode extends RuntimeNode {
  private readonly wm: SplitWatermarks<unknown>;
  /** Cancels the next idleness tick (scheduled on the job's clock, so a test clock drives it too). */
  private cancelTick: (() => void) | undefined;
  private closed = false;
  private splitStatusAt = 0;

  constructor(
    name: string,
    private readonly strategy: WatermarkStrategy<unknown>,
    services: NodeServices,
    policy: ErrorPolicy,
    private readonly deps: TimestampAssignerDeps,
  ) {
    super(name, 1, services, policy);
    this.wm = new SplitWatermarks(strategy);
  }

  override open(): MaybePromise {
    if (Number.isFinite(this.strategy.idleTimeoutMs ?? Infinity)) this.scheduleTick();
    return undefined;
  }

  /** Idleness is processing time passing without records: re-evaluate the watermark every TICK_MS. */
  private scheduleTick(): void {
    const now = this.services.now;
    this.cancelTick = timerSchedulerFor(now).schedule(now() + TICK_MS, () => {
      if (this.closed) return;
      void this.deps.mailbox.submit(() => this.emitWatermark()).catch(() => undefined);
      this.scheduleTick();
    });
  }

  override close(): MaybePromise {
    this.closed = true;
    this.cancelTick?.();
    return undefined;
  }

  processBatch(_input: number, values: readonly unknown[], upstream: readonly number[]): MaybePromise {
    this.metrics.recordsIn += values.length;
    const origin = originOf(values);
    const split = origin === undefined ? UNKNOWN_SPLIT : `${origin.source}/${origin.split}`;
    const now = this.services.now();
    this.wm.addSplit(split, now);
    let out = values;
    let timestamps: number[];
    try {
      timestamps = this.wm.onRecords(split, values, now, new Array<number>(values.length), upstream);
    } catch {
      // some record has no readable timestamp: dead-letter it with its position, keep the rest
      const kept = this.wm.onRecordsSkipping(split, values, now, upstream, (i, err) => this.recordFailed(this.name, err, values[i], upstream[i]!, this.errorPolicy, this.positionIn(values, i)));
      ({ records: out, timestamps } = kept);
      if (origin !== undefined) setOrigin(out, derivedOrigin(origin, kept.from));
    }
    return andThen(this.emit(out, timestamps), () => this.emitWatermark());
  }

  /** Upstream event time is replaced by this step's; only the end of input passes through. */
  override onWatermark(input: number, watermark: number, idle: boolean): MaybePromise {
    return watermark === MAX_WATERMARK ? super.onWatermark(input, watermark, idle) : undefined;
  }

  override onSplitEvent(source: string, split: string, event: SplitEvent): MaybePromise {
    const key = `${source}/${split}`;
    if (event === 'added') this.wm.addSplit(key, this.services.now());
    else this.wm.removeSplit(key);
    return andThen(this.emitWatermark(), () => super.onSplitEvent(source, split, event));
  }

  private emitWatermark(): MaybePromise {
    const now = this.services.now();
    const status = this.wm.poll(now);
    if (now - this.splitStatusAt >= SPLIT_STATUS_INTERVAL_MS) {
      this.splitStatusAt = now;
      for (const s of this.wm.perSplitWatermarks()) {
        const m = this.deps.splitMetrics(this.name, s.splitId);
        m.watermark = s.watermark;
        m.idle = s.idle;
      }
    }
    if (!status.changed) return undefined;
    if (status.idle) return this.forwardWatermark(this.watermark, true);
    this.watermark = status.watermark;
    this.metrics.watermark = status.watermark;
    return this.forwardWatermark(status.watermark, false);
  }
}
