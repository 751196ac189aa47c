/**
 * A physical step at run time. Batches, watermarks, barriers and end-of-input flow through
 * nodes by direct calls inside one mailbox action; a call returns a promise only when the
 * step really had to wait (state prefetch, sink backpressure, async lookups).
 */

import { DEAD_LETTERS, type DeadLetter } from '../api/functions.js';
import { LATE_DATA } from '../api/windows.js';
import type { ErrorPolicy } from '../api/graph.js';
import type { Logger } from '../metrics/logger.js';
import type { SplitMetrics, StepMetrics } from '../metrics/step-metrics.js';
import { InputWatermarks } from '../time/input-watermarks.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../time/types.js';
import type { CheckpointBarrier, RestoredStep } from './barrier.js';
import { originOf, type SourcePosition } from './batch-origin.js';
import { andThen, eachInOrder, type MaybePromise } from './maybe-async.js';

export interface Downstream {
  node: RuntimeNode;
  input: number;
}

export type SplitEvent = 'added' | 'ended';

/** Side-output id of the main output. */
export const MAIN = '';

export interface NodeServices {
  logger: Logger;
  metricsFor(step: string): StepMetrics;
  splitMetricsFor(step: string, split: string): SplitMetrics;
  defaultErrorPolicy: ErrorPolicy;
  now(): number;
}

export abstract class RuntimeNode {
  readonly outputs = new Map<string, Downstream[]>();
  /** Every downstream of every output: watermarks, barriers and end-of-input go to all of them. */
  private allOutputs: Downstream[] = [];
  protected readonly metrics: StepMetrics;
  /** Combined input watermark (what this step has been told). */
  protected watermark = MIN_WATERMARK;
  private readonly inputWatermarks: InputWatermarks;
  private readonly ended: boolean[];
  private endedCount = 0;
  private barrierId = -1;
  private barrierDone = false;
  private readonly barrierSeen: boolean[];
  private sideBuffer: Map<string, { values: unknown[]; timestamps: number[] }> | undefined;
  private warnedUnconsumedLate = false;

  constructor(
    readonly name: string,
    readonly inputCount: number,
    protected readonly services: NodeServices,
    protected readonly errorPolicy: ErrorPolicy,
  ) {
    this.metrics = services.metricsFor(name);
    this.inputWatermarks = new InputWatermarks(inputCount);
    this.ended = new Array<boolean>(inputCount).fill(false);
    this.barrierSeen = new Array<boolean>(inputCount).fill(false);
  }

  connect(tag: string, downstream: Downstream): void {
    const list = this.outputs.get(tag) ?? [];
    list.push(downstream);
    this.outputs.set(tag, list);
    this.allOutputs = [...this.outputs.values()].flat();
  }

  /** Open resources (state backends, writers). `restored` is this step's checkpointed state. */
  open(_restored: RestoredStep | undefined): MaybePromise {
    return undefined;
  }

  close(): MaybePromise {
    return undefined;
  }

  abstract processBatch(input: number, values: readonly unknown[], timestamps: readonly number[]): MaybePromise;

  // ---- records out -------------------------------------------------------------------

  protected emit(values: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    this.metrics.recordsOut += values.length;
    const side = this.flushSideOutputs();
    const targets = this.outputs.get(MAIN);
    if (values.length === 0 || targets === undefined) return side;
    return andThen(side, () => eachInOrder(targets, (d) => d.node.processBatch(d.input, values, timestamps)));
  }

  /** Buffer a side-output record; it is sent right before the next main-output emit. */
  protected sideOutput(tag: string, value: unknown, timestamp: number): void {
    if (tag === LATE_DATA.id) this.metrics.lateRecords++;
    this.sideBuffer ??= new Map();
    let buf = this.sideBuffer.get(tag);
    if (buf === undefined) this.sideBuffer.set(tag, (buf = { values: [], timestamps: [] }));
    buf.values.push(value);
    buf.timestamps.push(timestamp);
  }

  private flushSideOutputs(): MaybePromise {
    const buffers = this.sideBuffer;
    if (buffers === undefined || buffers.size === 0) return undefined;
    this.sideBuffer = undefined;
    return eachInOrder([...buffers], ([tag, buf]) => {
      const targets = this.outputs.get(tag);
      if (targets === undefined) {
        if (tag === DEAD_LETTERS.id) for (const dl of buf.values) this.unroutedDeadLetter(dl as DeadLetter);
        else if (tag === LATE_DATA.id) this.unconsumedLateData(buf.values.length);
        return undefined;
      }
      return eachInOrder(targets, (d) => d.node.processBatch(d.input, buf.values, buf.timestamps));
    });
  }

  /** Late records nobody consumes are dropped: counted always, and said once per step. */
  private unconsumedLateData(count: number): void {
    if (this.warnedUnconsumedLate) return;
    this.warnedUnconsumedLate = true;
    this.services.logger.warn(
      { step: this.name, dropped: count },
      'late records dropped: nothing consumes this step\'s LATE_DATA side output (they are counted in weir_step_late_records_total and status(); consume sideOutput(LATE_DATA) or raise allowedLatenessMs to keep them)',
    );
  }

  /** A dead letter nobody consumes is still never silent: it is logged with its reason. */
  private unroutedDeadLetter(dl: DeadLetter): void {
    this.services.logger.error({ step: dl.step, error: dl.error, position: dl.position, record: safePreview(dl.record) }, 'dead letter (no dead-letter sink configured)');
  }

  /**
   * Apply the error policy to a record that made `step` throw: route it to the dead letters
   * with the reason, or rethrow so the job fails and restarts from its last checkpoint.
   */
  protected recordFailed(step: string, error: unknown, record: unknown, timestamp: number, policy = this.errorPolicy, position?: SourcePosition): void {
    this.metrics.errors++;
    if (policy === 'fail') throw new StepError(step, error, position);
    this.metrics.deadLetters++;
    const dl: DeadLetter = { step, error: errorText(error), record, timestamp, atMs: this.services.now() };
    if (position !== undefined) dl.position = position;
    this.sideOutput(DEAD_LETTERS.id, dl, timestamp);
  }

  /** The source position of record `i` of `batch`, when the batch's origin is known. */
  protected positionIn(batch: readonly unknown[], i: number): SourcePosition | undefined {
    return originOf(batch)?.positionOf(i);
  }

  // ---- split lifecycle -----------------------------------------------------------------

  /**
   * A source split was assigned ('added') or ended / was removed ('ended'): timestamp assigners
   * hold event time back for a split from its assignment on and stop when it ends; other
   * steps pass the event on.
   */
  onSplitEvent(source: string, split: string, event: SplitEvent): MaybePromise {
    return eachInOrder(this.allOutputs, (d) => d.node.onSplitEvent(source, split, event));
  }

  // ---- watermarks --------------------------------------------------------------------

  onWatermark(input: number, watermark: number, idle: boolean): MaybePromise {
    const status = this.inputWatermarks.update(input, watermark, idle);
    if (!status.changed) return undefined;
    if (status.idle) return this.forwardWatermark(this.watermark, true);
    this.watermark = status.watermark;
    this.metrics.watermark = status.watermark;
    return this.handleWatermark(status.watermark);
  }

  /** Steps with timers or event-time buffers override this; they must forward afterwards. */
  protected handleWatermark(watermark: number): MaybePromise {
    return this.forwardWatermark(watermark, false);
  }

  protected forwardWatermark(watermark: number, idle: boolean): MaybePromise {
    return andThen(this.flushSideOutputs(), () => eachInOrder(this.allOutputs, (d) => d.node.onWatermark(d.input, watermark, idle)));
  }

  // ---- checkpoint barriers -----------------------------------------------------------

  /**
   * Barrier alignment: the step snapshots once the barrier arrived on every input that has
   * not ended. Inside one mailbox action no record can overtake a barrier, so no input has to
   * be buffered while waiting for the others.
   */
  onBarrier(input: number, barrier: CheckpointBarrier): MaybePromise {
    this.resetBarrier(barrier.id);
    this.barrierSeen[input] = true;
    return this.completeBarrierIfAligned(barrier);
  }

  private resetBarrier(id: number): void {
    if (id === this.barrierId) return;
    this.barrierId = id;
    this.barrierSeen.fill(false);
    this.barrierDone = false;
  }

  /** Snapshot and forward once every input delivered the barrier or ended (it cannot arrive there any more). */
  completeBarrierIfAligned(barrier: CheckpointBarrier): MaybePromise {
    this.resetBarrier(barrier.id);
    if (this.barrierDone) return undefined;
    for (let i = 0; i < this.inputCount; i++) if (!this.barrierSeen[i] && !this.ended[i]) return undefined;
    this.barrierDone = true;
    const snapshotted = andThen(this.flushSideOutputs(), () => this.snapshot(barrier));
    return andThen(snapshotted, () => eachInOrder(this.allOutputs, (d) => d.node.onBarrier(d.input, barrier)));
  }

  /** Record this step's state in the barrier (synchronous part quick; persist may be async). */
  protected snapshot(_barrier: CheckpointBarrier): MaybePromise {
    return undefined;
  }

  // ---- end of input ------------------------------------------------------------------

  onEnd(input: number): MaybePromise {
    if (this.ended[input]) return undefined;
    this.ended[input] = true;
    this.endedCount++;
    // an ended input no longer holds the watermark back (the last one fires every timer)
    const wm = this.onWatermark(input, MAX_WATERMARK, false);
    if (this.endedCount < this.inputCount) return wm;
    const finished = andThen(wm, () => this.finish());
    return andThen(finished, () => eachInOrder(this.allOutputs, (d) => d.node.onEnd(d.input)));
  }

  /** All inputs ended: flush what is buffered (timers already fired on the MAX watermark). */
  protected finish(): MaybePromise {
    return this.flushSideOutputs();
  }

}

export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly causeError: unknown,
    /** The source position of the record the step failed on, when known. */
    readonly position?: SourcePosition,
  ) {
    super(`step '${step}' failed${position === undefined ? '' : ` at ${describePosition(position)}`}: ${errorText(causeError)}`, { cause: causeError });
  }
}

function describePosition(p: SourcePosition): string {
  const { source, split, ...rest } = p;
  const detail = Object.entries(rest).map(([k, v]) => `${k} ${String(v)}`);
  return [`source '${source}'`, `split ${split}`, ...detail].join(', ');
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function safePreview(record: unknown): string {
  try {
    const s = typeof record === 'string' ? record : Buffer.isBuffer(record) ? `<${record.length} bytes>` : JSON.stringify(record);
    return s.length > 500 ? `${s.slice(0, 500)}…` : s;
  } catch {
    return String(record);
  }
}
