/** The logical plan a `Pipeline` builds: named steps and the edges between them. */

import type { Sink } from '../sink/types.js';
import type { Source, SourceSplit } from '../source/types.js';
import type { WatermarkStrategy } from '../time/types.js';
import type { KeyedProcessFunction } from './functions.js';

export type ErrorPolicy = 'fail' | 'dead-letter';

export interface StepOptions {
  /** What happens when the step's function throws for a record. Defaults to the pipeline's policy. */
  onError?: ErrorPolicy;
}

/** Options of `asyncMap`. */
export interface AsyncMapOptions extends StepOptions {
  /** Records of a batch whose calls are in flight at once: the capacity (default 64). */
  concurrency?: number;
  /**
   * `ordered` (default): results leave in input order once the batch completes. `unordered`:
   * results leave as their calls complete, in completion order (Flink's unorderedWait). Either
   * way a batch completes before the next batch, watermark or barrier passes the step, so
   * results reorder only between watermarks and a checkpoint never has calls in flight.
   */
  order?: 'ordered' | 'unordered';
}

/** An edge: the main output of `node`, or one of its side outputs. */
export interface InputEdge {
  node: StepNode;
  tag?: string;
}

interface NodeBase {
  /** Stable, unique step name: the identity of the step's state in checkpoints. */
  name: string;
  inputs: InputEdge[];
  options: StepOptions;
}

export type StepNode =
  | (NodeBase & { kind: 'source'; source: Source<any, SourceSplit, any>; watermarks?: WatermarkStrategy<any> })
  | (NodeBase & { kind: 'map'; fn: (value: any) => any })
  | (NodeBase & { kind: 'filter'; fn: (value: any) => boolean })
  | (NodeBase & { kind: 'flatMap'; fn: (value: any) => Iterable<any> })
  | (NodeBase & { kind: 'asyncMap'; fn: (value: any) => Promise<any>; concurrency: number; ordered: boolean })
  | (NodeBase & {
      kind: 'keyedProcess';
      keyFn: (value: any) => string | number;
      fn: () => KeyedProcessFunction<string, any, any>;
      /** What the function is ('window', 'reduce', 'process'): recorded in checkpoints, checked on restore. */
      operator?: string;
    })
  | (NodeBase & { kind: 'timestamps'; watermarks: WatermarkStrategy<any> })
  | (NodeBase & { kind: 'union' })
  | (NodeBase & { kind: 'sink'; sink: Sink<any, any, any> })
  | (NodeBase & { kind: 'deadLetters' });

export type StepKind = StepNode['kind'];
