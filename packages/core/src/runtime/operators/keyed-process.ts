/**
 * Keyed process step: state and timers scoped to each record's key. Per batch the keys are
 * computed and prefetched with one call (one await at most), then every record is handled
 * synchronously. Event-time timers fire when the watermark passes them; processing-time
 * timers through one scheduled mailbox action.
 */

import { stateAccessOf, type KeyedProcessFunction, type ProcessContext, type TimerAccess } from '../../api/functions.js';
import type { ErrorPolicy } from '../../api/graph.js';
import type { KeyedStateBackend, StateBackendFactory, StateHandle } from '../../state/types.js';
import { TimerService, type TimerServiceSnapshot } from '../../timers/timer-service.js';
import type { CheckpointBarrier, RescaledStep, RestoredStep, StepSnapshot } from '../barrier.js';
import { keyFilterFor, keyGroupRangesOverlap, type KeyGroupRange, type KeyGroupScope } from '../../state/key-groups.js';
import type { Mailbox } from '../mailbox.js';
import { andThen, type MaybePromise } from '../maybe-async.js';
import { RuntimeNode, type NodeServices } from '../node.js';
import { hasNoTimestamps, noTimestamps } from '../timestamps.js';
import { MIN_WATERMARK } from '../../time/types.js';
import { timerSchedulerFor } from '../timer-scheduler.js';

export interface KeyedProcessDeps {
  stateBackend: StateBackendFactory;
  workDir: string;
  subtask: number;
  mailbox: Mailbox;
  /** The key groups this instance owns (recorded in its checkpoints, used to pick state in a rescale). */
  keyGroups: KeyGroupScope;
}

/** Keyed state of a step in a checkpoint: the backend's handle and the key groups it covers. */
interface KeyedPart {
  handle: StateHandle;
  /** Absent in checkpoints written before key groups (those hold every key of their instance). */
  keyGroups?: KeyGroupRange;
  maxParallelism?: number;
}


/** Shared strings of the integer keys 0..65535. */
const SMALL_INT_KEYS: Array<string | undefined> = new Array(65_536);

export class KeyedProcessNode extends RuntimeNode {
  private backend!: KeyedStateBackend;
  private fn!: KeyedProcessFunction<string, unknown, unknown>;
  private readonly timers = new TimerService();
  private outValues: unknown[] = [];
  private outTimestamps: number[] = [];
  /** Records of the current batch have no event time and nothing emitted set one. */
  private untimed = false;
  private currentTimestamp = 0;
  private currentKey = '';
  /** Cancels the scheduled processing-time wake-up (real or test clock, see timer-scheduler.ts). */
  private cancelProcessingTimer: (() => void) | undefined;
  private processingTimerAt = Infinity;
  private closed = false;
  private readonly ctx: ProcessContext<string, unknown> & { timeDomain: 'event' | 'processing' };

  constructor(
    name: string,
    private readonly keyFn: (value: any) => string | number,
    private readonly factory: () => KeyedProcessFunction<string, any, any>,
    services: NodeServices,
    policy: ErrorPolicy,
    private readonly deps: KeyedProcessDeps,
  ) {
    super(name, 1, services, policy);
    const node = this;
    const timers: TimerAccess = {
      registerEventTimeTimer: (ts) => node.timers.registerEventTimeTimer(node.currentKey, ts),
      registerProcessingTimeTimer: (ts) => {
        node.timers.registerProcessingTimeTimer(node.currentKey, ts);
        node.scheduleProcessingTimer();
      },
      deleteEventTimeTimer: (ts) => node.timers.deleteEventTimeTimer(node.currentKey, ts),
      deleteProcessingTimeTimer: (ts) => node.timers.deleteProcessingTimeTimer(node.currentKey, ts),
      // after a restore the input watermark restarts low; the checkpointed one keeps late data late
      currentWatermark: () => Math.max(node.watermark, node.timers.currentWatermark()),
      currentProcessingTime: () => services.now(),
    };
    this.ctx = {
      get key() {
        return node.currentKey;
      },
      get timestamp() {
        return node.currentTimestamp;
      },
      timers,
      timeDomain: 'event',
      emit(value, timestamp) {
        if (node.untimed) {
          if (timestamp === undefined) {
            node.outValues.push(value);
            return;
          }
          // an explicit event time: from here on this batch's timestamps are real
          node.untimed = false;
          node.outTimestamps = new Array<number>(node.outValues.length).fill(MIN_WATERMARK);
        }
        node.outValues.push(value);
        node.outTimestamps.push(timestamp ?? node.currentTimestamp);
      },
      output(tag, value, timestamp) {
        node.sideOutput(tag.id, value, timestamp ?? node.currentTimestamp);
      },
    };
  }

  override async open(restored: RestoredStep | undefined): Promise<void> {
    this.backend = await this.deps.stateBackend.create({
      operatorId: this.name,
      subtask: this.deps.subtask,
      workDir: this.deps.workDir,
      now: this.services.now,
    });
    if (restored?.rescale !== undefined) await this.restoreRescaled(restored.rescale);
    else if (restored !== undefined) {
      const keyed = restored.snapshot.keyed as KeyedPart | undefined;
      if (keyed !== undefined) await this.backend.restore(keyed.handle, restored.files);
      const timers = timersOf(restored.snapshot);
      if (timers !== undefined) this.timers.restore(timers);
    }
    this.fn = this.factory();
    await this.fn.open?.({ stepName: this.name, subtask: this.deps.subtask, state: stateAccessOf(this.backend) });
    this.scheduleProcessingTimer();
  }

  /** A rescale: take this instance's key groups from every old instance whose groups overlap them. */
  private async restoreRescaled(rescale: RescaledStep): Promise<void> {
    const scope = this.deps.keyGroups;
    const keep = keyFilterFor(scope);
    let appended = false;
    let timersRestored = false;
    for (const part of rescale.parts) {
      const keyed = part.snapshot.keyed as KeyedPart | undefined;
      const covers = keyed?.keyGroups;
      const overlaps = covers === undefined || keyGroupRangesOverlap(covers, scope.range);
      if (keyed !== undefined && overlaps) {
        await this.backend.restore(keyed.handle, part.files, { keyGroups: scope, append: appended });
        appended = true;
      }
      const timers = timersOf(part.snapshot);
      if (timers !== undefined) {
        this.timers.restore(timers, keep, timersRestored);
        timersRestored = true;
      }
    }
  }

  processBatch(_input: number, values: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    this.metrics.recordsIn += values.length;
    const keys = new Array<string>(values.length);
    const keyFn = this.keyFn;
    const small = SMALL_INT_KEYS;
    for (let i = 0; i < values.length; i++) {
      try {
        const k = keyFn(values[i]);
        // small integer keys (ids, buckets) reuse one string each instead of allocating per record
        keys[i] = typeof k === 'string' ? k : k >= 0 && k < small.length && (k | 0) === k ? (small[k] ??= String(k)) : String(k);
      } catch (err) {
        keys[i] = '';
        this.recordFailed(this.name, err, values[i], timestamps[i]!, this.errorPolicy, this.positionIn(values, i));
      }
    }
    return andThen(this.backend.prefetch(keys), () => this.processKeyed(values, timestamps, keys));
  }

  private processKeyed(values: readonly unknown[], timestamps: readonly number[], keys: string[]): MaybePromise {
    const t0 = performance.now();
    this.outValues = [];
    this.outTimestamps = [];
    this.untimed = hasNoTimestamps(timestamps);
    const fn = this.fn;
    const backend = this.backend;
    const ctx = this.ctx;
    ctx.timeDomain = 'event';
    for (let i = 0; i < values.length; i++) {
      const key = keys[i]!;
      this.currentKey = key;
      this.currentTimestamp = timestamps[i]!;
      backend.setCurrentKey(key);
      try {
        fn.processElement(values[i], ctx);
      } catch (err) {
        this.recordFailed(this.name, err, values[i], timestamps[i]!, this.errorPolicy, this.positionIn(values, i));
      }
    }
    this.metrics.busyNs += (performance.now() - t0) * 1e6;
    const untimed = this.untimed;
    this.untimed = false;
    return this.emit(this.outValues, untimed ? noTimestamps(this.outValues.length) : this.outTimestamps);
  }

  protected override handleWatermark(watermark: number): MaybePromise {
    const due = this.timers.advanceWatermark(watermark);
    if (due.length === 0) return this.forwardWatermark(watermark, false);
    return andThen(this.fireTimers(due, 'event'), () => this.forwardWatermark(watermark, false));
  }

  private fireTimers(due: Array<{ key: string; timestamp: number }>, domain: 'event' | 'processing'): MaybePromise {
    const onTimer = this.fn.onTimer;
    if (onTimer === undefined) return undefined;
    return andThen(
      this.backend.prefetch(due.map((t) => t.key)),
      () => {
        this.outValues = [];
        this.outTimestamps = [];
        this.ctx.timeDomain = domain;
        for (const t of due) {
          this.currentKey = t.key;
          this.currentTimestamp = t.timestamp;
          this.backend.setCurrentKey(t.key);
          try {
            onTimer.call(this.fn, t.timestamp, this.ctx);
          } catch (err) {
            this.recordFailed(this.name, err, { timer: t }, t.timestamp);
          }
        }
        return this.emit(this.outValues, this.outTimestamps);
      },
    );
  }

  private scheduleProcessingTimer(): void {
    const next = this.timers.nextProcessingTime();
    if (next === undefined || this.closed || next >= this.processingTimerAt) return;
    this.cancelProcessingTimer?.();
    this.processingTimerAt = next;
    this.cancelProcessingTimer = timerSchedulerFor(this.services.now).schedule(next, () => {
      this.cancelProcessingTimer = undefined;
      this.processingTimerAt = Infinity;
      this.deps.mailbox
        .submit(() => {
          const due = this.timers.dueProcessingTimers(this.services.now());
          const r = due.length > 0 ? this.fireTimers(due, 'processing') : undefined;
          return andThen(r, () => this.scheduleProcessingTimer());
        })
        .catch((err) => this.services.logger.debug({ step: this.name, err: String(err) }, 'processing-time timer not run'));
    });
  }

  protected override snapshot(barrier: CheckpointBarrier): MaybePromise {
    const snap = this.backend.snapshot(barrier.id);
    barrier.set(this.name, { operator: { timers: this.timers.snapshot() } });
    const files = barrier.filesFor(this.name);
    const { range, maxParallelism } = this.deps.keyGroups;
    barrier.addAsync(this.name, snap.persist(files).then((handle) => ({ keyed: { handle, keyGroups: range, maxParallelism } satisfies KeyedPart })));
    return undefined;
  }

  override async close(): Promise<void> {
    this.closed = true;
    this.cancelProcessingTimer?.();
    await this.fn?.close?.();
    await this.backend?.close();
  }
}

function timersOf(snapshot: StepSnapshot): TimerServiceSnapshot | undefined {
  return (snapshot.operator as { timers?: TimerServiceSnapshot } | undefined)?.timers;
}
