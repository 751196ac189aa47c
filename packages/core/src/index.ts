/**
 * @weir/core — checkpointed, exactly-once stream processing inside a Node.js process.
 *
 * Define a {@link Pipeline} of named steps, start it, and stop it with a drain or savepoint.
 */

export { Pipeline } from './api/pipeline.js';
export type { PipelineOptions, SourceOptions } from './api/pipeline.js';
// users get streams from a pipeline and never construct one
export type { Stream, KeyedStream } from './api/stream.js';
export type { KeyByOptions, KeyExchange, KeyExchangeContext } from './api/exchange.js';
export type { AsyncMapOptions, ErrorPolicy, StepOptions } from './api/graph.js';
export { OutputTag } from './api/functions.js';
export { tumblingWindows, slidingWindows, LATE_DATA } from './api/windows.js';
export type { WindowAggregate, WindowAssigner, WindowOptions, WindowResult } from './api/windows.js';
export type { DeadLetter, KeyedProcessFunction, OpenContext, ProcessContext, StateAccess, TimerAccess } from './api/functions.js';

export type { BroadcastOptions, BroadcastValue, ProposeFn } from './broadcast/broadcast-value.js';

// a job comes from `pipeline.start()`: the class is exported as a type only
export type { Job } from './runtime/job.js';
export { stopOnSignals } from './runtime/job.js';
export type { JobResult, StopOnSignalsOptions } from './runtime/job.js';
export { JobCancelledError } from './runtime/job-runtime.js';
export type { JobOutcome, StopMode } from './runtime/job-runtime.js';
export { RestoreRefusedError } from './checkpoint/restore-choice.js';
export { SavepointSetError, findSavepointSet } from './checkpoint/find-savepoint-set.js';
export type { FindSavepointSetOptions, FoundSavepointSet, SavepointSetSearch } from './checkpoint/find-savepoint-set.js';
export { StateCompatibilityError } from './checkpoint/state-compatibility.js';
export type { SourcePosition } from './runtime/batch-origin.js';
export { RestartStrategies } from './runtime/restart-strategy.js';
export type { RestartStrategy } from './runtime/restart-strategy.js';
export { StepError } from './runtime/node.js';

export { CheckpointFormatError, localCheckpointStorage, parseCheckpointMetadata } from './checkpoint/storage.js';
export type { CheckpointMetadata, CheckpointStorage, CompletedCheckpoint } from './checkpoint/storage.js';
export type { CheckpointKind, StepSnapshot } from './runtime/barrier.js';

export type {
  PollResult,
  Source,
  SourceBatch,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from './source/types.js';
export { generatorSource, collectionSource } from './source/generator-source.js';
export type { GeneratorSourceOptions, GeneratorSplit } from './source/generator-source.js';
export { iterableSource } from './source/iterable-source.js';
export type { IterableSourceOptions, IterableSplit } from './source/iterable-source.js';

export type { Sink, SinkCommitter, SinkContext, SinkRescale, SinkWriter } from './sink/types.js';
export { memorySink } from './sink/memory-sink.js';
export type { MemorySink, MemoryCommittable } from './sink/memory-sink.js';
export { jsonLinesFileSink } from './sink/json-lines-file-sink.js';
export type { FileCommittable, JsonLinesFileSinkOptions } from './sink/json-lines-file-sink.js';

export * from './options/index.js';

// each subsystem's index is its public surface
export * from './state/public.js';
export * from './time/index.js';
export * from './metrics/index.js';

export const VERSION = '0.1.0';
