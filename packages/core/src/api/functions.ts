/** User-facing function types for `process` steps. */

import type { SourcePosition } from '../runtime/batch-origin.js';
import type { KeyedStateBackend, ListState, MapState, ReducingState, StateDescriptorOptions, ValueState } from '../state/types.js';

/** Names a side output (dead letters, late data, anything user-defined). */
export class OutputTag<T> {
  /** Type carrier only. */
  declare readonly _type?: T;
  constructor(readonly id: string) {}
}

/** A record a step could not process: where, why, and the record itself. */
export interface DeadLetter<T = unknown> {
  step: string;
  error: string;
  record: T;
  timestamp?: number;
  /** Source position when known, e.g. `{ source: 'orders', split: 'c1/orders/0', cluster: 'c1', topic: 'orders', partition: 0, offset: '42' }`. */
  position?: SourcePosition;
  atMs: number;
}

export const DEAD_LETTERS = new OutputTag<DeadLetter>('weir.dead-letters');

/** Registers state in `open`; handles are scoped to the key being processed. */
export interface StateAccess {
  valueState<T>(name: string, options?: StateDescriptorOptions): ValueState<T>;
  mapState<K, V>(name: string, options?: StateDescriptorOptions): MapState<K, V>;
  listState<T>(name: string, options?: StateDescriptorOptions): ListState<T>;
  reducingState<T>(name: string, reduce: (a: T, b: T) => T, options?: StateDescriptorOptions): ReducingState<T>;
}

export interface TimerAccess {
  registerEventTimeTimer(timestamp: number): void;
  registerProcessingTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
  currentWatermark(): number;
  currentProcessingTime(): number;
}

export interface OpenContext {
  readonly stepName: string;
  readonly subtask: number;
  readonly state: StateAccess;
}

export interface ProcessContext<K, O> {
  readonly key: K;
  /** Event time of the current record (or of the firing timer). */
  readonly timestamp: number;
  readonly timers: TimerAccess;
  /** Emit downstream; event time defaults to the current timestamp. */
  emit(value: O, timestamp?: number): void;
  /** Emit to a side output. */
  output<X>(tag: OutputTag<X>, value: X, timestamp?: number): void;
}

export interface KeyedProcessFunction<K, I, O> {
  open?(context: OpenContext): void | Promise<void>;
  processElement(value: I, context: ProcessContext<K, O>): void;
  /** A timer registered for the current key fired; `context.timestamp` is the timer's time. */
  onTimer?(timestamp: number, context: ProcessContext<K, O> & { readonly timeDomain: 'event' | 'processing' }): void;
  close?(): void | Promise<void>;
}

/** Internal: lets the runtime hand a backend to `StateAccess`. */
export function stateAccessOf(backend: KeyedStateBackend): StateAccess {
  return {
    valueState: (n, o) => backend.valueState(n, o),
    mapState: (n, o) => backend.mapState(n, o),
    listState: (n, o) => backend.listState(n, o),
    reducingState: (n, r, o) => backend.reducingState(n, r, o),
  };
}
