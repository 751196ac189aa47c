/**
 * Consecutive map / filter / flatMap steps fused into one loop over the batch (operator
 * chaining): one output array per batch for the whole chain, no per-step arrays, no promise.
 * Each step keeps its own name for metrics and dead letters.
 */

import type { ErrorPolicy } from '../../api/graph.js';
import type { StepMetrics } from '../../metrics/step-metrics.js';
import type { MaybePromise } from '../maybe-async.js';
import { RuntimeNode, type NodeServices } from '../node.js';
import { hasNoTimestamps, noTimestamps } from '../timestamps.js';
import { derivedOrigin, originOf, setOrigin, type BatchOrigin } from '../batch-origin.js';

export interface ChainStep {
  kind: 'map' | 'filter' | 'flatMap';
  name: string;
  fn: (value: any) => any;
  policy: ErrorPolicy;
}

const MAP = 0;
const FILTER = 1;
const FLAT_MAP = 2;

export class StatelessChainNode extends RuntimeNode {
  private readonly kinds: Uint8Array;
  private readonly fns: Array<(value: any) => any>;
  private readonly stepMetrics: StepMetrics[];
  private readonly reached: Float64Array;
  private outValues: unknown[] = [];
  private outTimestamps: number[] = [];
  /** The current batch has no event time: timestamps are not copied. */
  private untimed = false;
  /** Origin of the current input batch, and for each output record its input index (for positions downstream). */
  private origin: BatchOrigin | undefined;
  private outFrom: number[] = [];
  private inputIndex = 0;
  /** Map-only chains keep the input's origin as is, until a record fails (then index tracking starts). */
  private readonly oneToOne: boolean;
  private tracking = false;

  constructor(
    private readonly steps: ChainStep[],
    services: NodeServices,
  ) {
    // the node is named after its last step so that downstream wiring by name works
    super(steps[steps.length - 1]!.name, 1, services, steps[0]!.policy);
    this.kinds = Uint8Array.from(steps, (s) => (s.kind === 'map' ? MAP : s.kind === 'filter' ? FILTER : FLAT_MAP));
    this.fns = steps.map((s) => s.fn);
    this.stepMetrics = steps.map((s) => services.metricsFor(s.name));
    this.reached = new Float64Array(steps.length + 1);
    this.oneToOne = steps.every((s) => s.kind === 'map');
  }

  processBatch(_input: number, values: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    const t0 = performance.now();
    this.outValues = [];
    this.outTimestamps = [];
    this.reached.fill(0);
    this.untimed = hasNoTimestamps(timestamps);
    const origin = (this.origin = originOf(values));
    this.tracking = origin !== undefined && !this.oneToOne;
    if (this.tracking) this.outFrom = [];
    for (let i = 0; i < values.length; i++) {
      this.inputIndex = i;
      this.runFrom(0, values[i], timestamps[i]!);
    }
    this.updateMetrics(performance.now() - t0);
    const out = this.outValues;
    if (origin !== undefined) setOrigin(out, this.tracking ? derivedOrigin(origin, this.outFrom) : origin);
    return this.emit(out, this.untimed ? noTimestamps(out.length) : this.outTimestamps);
  }

  /** Run one value through steps `s..` of the chain; a flatMap runs the rest once per produced value. */
  private runFrom(s: number, value: unknown, t: number): void {
    const kinds = this.kinds;
    const fns = this.fns;
    const n = kinds.length;
    let v = value;
    try {
      for (; s < n; s++) {
        this.reached[s]!++;
        const k = kinds[s];
        if (k === MAP) v = fns[s]!(v);
        else if (k === FILTER) {
          if (!fns[s]!(v)) return;
        } else {
          for (const produced of fns[s]!(v) as Iterable<unknown>) this.runFrom(s + 1, produced, t);
          return;
        }
      }
    } catch (err) {
      this.recordFailed(this.steps[s]!.name, err, v, t, this.steps[s]!.policy, this.origin?.positionOf(this.inputIndex));
      if (this.origin !== undefined && !this.tracking) {
        // outputs so far were input i -> output i; from here on a record is missing
        this.tracking = true;
        this.outFrom = Array.from({ length: this.outValues.length }, (_, j) => j);
      }
      return;
    }
    this.reached[n]!++;
    this.outValues.push(v);
    if (!this.untimed) this.outTimestamps.push(t);
    if (this.tracking) this.outFrom.push(this.inputIndex);
  }

  private updateMetrics(busyMs: number): void {
    const m = this.stepMetrics;
    for (let s = 0; s < m.length; s++) {
      m[s]!.recordsIn += this.reached[s]!;
      // flatMap outputs are counted when they reach the next step
      if (s < m.length - 1) m[s]!.recordsOut += this.reached[s + 1]!;
      m[s]!.busyNs += (busyMs * 1e6) / m.length;
    }
    // the last step's recordsOut is counted by emit()
  }
}
