/** Fluent, typed stream API (Bytewax-style named steps, Kafka Streams-sized surface). */

import type { Sink } from '../sink/types.js';
import type { KeyedProcessFunction, OutputTag } from './functions.js';
import type { AsyncMapOptions, InputEdge, StepNode, StepOptions } from './graph.js';
import type { KeyByOptions } from './exchange.js';
import type { WatermarkStrategy } from '../time/types.js';
import { asyncMapOptionsSchema, stepOptionsSchema, windowOptionsSchema } from '../options/core-schemas.js';
import { validateOptions } from '../options/validate.js';
import { windowFunction, type WindowAggregate, type WindowAssigner, type WindowOptions, type WindowResult } from './windows.js';

/** Implemented by `Pipeline`: registers steps and checks name uniqueness. */
export interface StepRegistry {
  addStep(node: StepNode): void;
  /** The edge a keyed step `stepName` reads: `input` itself, or what an exchange routed to this instance. */
  keyedInput(stepName: string, input: InputEdge, keyFn: (value: any) => string | number, options: KeyByOptions): InputEdge;
}

export class Stream<T> {
  /** @internal */
  constructor(
    private readonly registry: StepRegistry,
    /** @internal */ readonly edge: InputEdge,
  ) {}

  private next<O>(node: StepNode): Stream<O> {
    this.registry.addStep(node);
    return new Stream<O>(this.registry, { node });
  }

  /** Transform every record. */
  map<O>(name: string, fn: (value: T) => O, options: StepOptions = {}): Stream<O> {
    validateOptions(stepOptionsSchema, options, `step '${name}' options`);
    return this.next({ kind: 'map', name, fn, inputs: [this.edge], options });
  }

  /** Keep records for which `fn` is true. */
  filter(name: string, fn: (value: T) => boolean, options: StepOptions = {}): Stream<T> {
    validateOptions(stepOptionsSchema, options, `step '${name}' options`);
    return this.next({ kind: 'filter', name, fn, inputs: [this.edge], options });
  }

  /** Zero or more outputs per record. */
  flatMap<O>(name: string, fn: (value: T) => Iterable<O>, options: StepOptions = {}): Stream<O> {
    validateOptions(stepOptionsSchema, options, `step '${name}' options`);
    return this.next({ kind: 'flatMap', name, fn, inputs: [this.edge], options });
  }

  /**
   * Asynchronous per-record call (lookups, enrichment), `concurrency` calls in flight at once,
   * output in input order (`order: 'unordered'`: in completion order, as calls complete). Each
   * batch completes before the next enters, so checkpoints never see requests in flight.
   */
  asyncMap<O>(name: string, fn: (value: T) => Promise<O>, options: AsyncMapOptions = {}): Stream<O> {
    validateOptions(asyncMapOptionsSchema, options, `step '${name}' options`);
    return this.next({ kind: 'asyncMap', name, fn, concurrency: options.concurrency ?? 64, ordered: options.order !== 'unordered', inputs: [this.edge], options });
  }

  /**
   * Assign event time and generate watermarks here (Flink's `assignTimestampsAndWatermarks`),
   * e.g. right after the step that parses the payload, so a malformed record is dead-lettered
   * by the parser before its timestamp is read. Watermarks stay per source split; a record
   * whose timestamp cannot be read goes to the dead letters with its source position.
   */
  assignTimestampsAndWatermarks(name: string, watermarks: WatermarkStrategy<T>, options: StepOptions = {}): Stream<T> {
    return this.next({ kind: 'timestamps', name, watermarks, inputs: [this.edge], options });
  }

  /**
   * Partition by key: the next `process` step sees state and timers scoped to each key. On
   * several instances the records cross instances through the pipeline's `exchange`, unless
   * `options.prePartitioned` says the input already arrives by key group.
   */
  keyBy(keyFn: (value: T) => string | number, options: KeyByOptions = {}): KeyedStream<T> {
    return new KeyedStream<T>(this.registry, this.edge, keyFn, options);
  }

  /** Merge streams of the same type; watermarks are min-combined, barriers aligned. */
  union(name: string, ...others: Stream<T>[]): Stream<T> {
    return this.next({ kind: 'union', name, inputs: [this.edge, ...others.map((s) => s.edge)], options: {} });
  }

  /** Records a step sent to a side output (`context.output(tag, …)`), e.g. late data. */
  sideOutput<X>(tag: OutputTag<X>): Stream<X> {
    return new Stream<X>(this.registry, { node: this.edge.node, tag: tag.id });
  }

  /** Terminal step. */
  sink(name: string, sink: Sink<T, any, any>): void {
    this.registry.addStep({ kind: 'sink', name, sink, inputs: [this.edge], options: {} });
  }
}

export class KeyedStream<T> {
  /** @internal */
  constructor(
    private readonly registry: StepRegistry,
    private readonly edge: InputEdge,
    private readonly keyFn: (value: T) => string | number,
    private readonly options: KeyByOptions = {},
  ) {}

  /**
   * Keyed processing with state and timers. `fn` is a factory so every (re)start gets a
   * fresh instance; state lives in the backend, not in the function object.
   */
  process<O>(name: string, fn: () => KeyedProcessFunction<string, T, O>, options: StepOptions = {}): Stream<O> {
    validateOptions(stepOptionsSchema, options, `step '${name}' options`);
    return this.keyedStep(name, fn, options, 'process');
  }

  private keyedStep<O>(name: string, fn: () => KeyedProcessFunction<string, T, O>, options: StepOptions, operator: string): Stream<O> {
    const input = this.registry.keyedInput(name, this.edge, this.keyFn, this.options);
    const node: StepNode = { kind: 'keyedProcess', name, keyFn: this.keyFn, fn, inputs: [input], options, operator };
    this.registry.addStep(node);
    return new Stream<O>(this.registry, { node });
  }

  /**
   * Event-time windows per key: `aggregate` folds records into each window; a result is
   * emitted when the watermark passes the window's end. Late records go to the
   * `LATE_DATA` side output of the returned stream.
   */
  window<A, R>(name: string, assigner: WindowAssigner, aggregate: WindowAggregate<T, A, R>, options: WindowOptions & StepOptions = {}): Stream<WindowResult<R>> {
    validateOptions(windowOptionsSchema, options, `step '${name}' options`);
    return this.keyedStep<WindowResult<R>>(name, windowFunction(assigner, aggregate, options), { onError: options.onError }, 'window');
  }

  /** Running reduce per key; emits the new aggregate for every input record. */
  reduce(name: string, reduce: (acc: T, value: T) => T, options: StepOptions = {}): Stream<T> {
    return this.keyedStep<T>(
      name,
      () => {
        let acc: import('../state/types.js').ValueState<T>;
        return {
          open: (ctx) => {
            acc = ctx.state.valueState<T>('acc');
          },
          processElement: (value, ctx) => {
            const prev = acc.value();
            const next = prev === undefined ? value : reduce(prev, value);
            acc.update(next);
            ctx.emit(next);
          },
        };
      },
      options,
      'reduce',
    );
  }
}
