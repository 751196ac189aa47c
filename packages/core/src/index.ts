/**
 * @weir/core — checkpointed, exactly-once stream processing inside a Node.js process.
 *
 * Define a {@link Pipeline} of named steps, start it, and stop it with a drain or savepoint.
 */

export { Pipeline } from './api/pipeline.js';
export type { PipelineOptions, SourceOptions } from './api/pipeline.js';
export { Stream, KeyedStream } from './api/stream.js';
export type { ErrorPolicy, StepOptions } from './api/graph.js';
export { OutputTag, DEAD_LETTERS } from './api/functions.js';
export { tumblingWindows, slidingWindows, LATE_DATA } from './api/windows.js';
export type { WindowAggregate, WindowAssigner, WindowOptions, WindowResult } from './api/windows.js';
export type { DeadLetter, KeyedProcessFunction, OpenContext, ProcessContext, StateAccess, TimerAccess } from './api/functions.js';

export type { BroadcastOptions, BroadcastValue, ProposeFn } from './broadcast/broadcast-value.js';

export { Job, stopOnSignals } from './runtime/job.js';
export type { JobResult, StopOnSignalsOptions } from './runtime/job.js';
export { JobCancelledError } from './runtime/job-runtime.js';
export type { StopMode } from './runtime/job-runtime.js';
export { RestoreRefusedError } from './checkpoint/restore-choice.js';
export { StateCompatibilityError } from './checkpoint/state-compatibility.js';
export type { SourcePosition } from './runtime/batch-origin.js';
export { RestartStrategies } from './runtime/restart-strategy.js';
export type { RestartStrategy } from './runtime/restart-strategy.js';
export { StepError } from './runtime/node.js';

export { CheckpointFormatError, LocalCheckpointStorage } from './checkpoint/storage.js';
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

export type { Sink, SinkCommitter, SinkContext, SinkWriter } from './sink/types.js';
export { memorySink } from './sink/memory-sink.js';
export type { MemorySink, MemoryCommittable } from './sink/memory-sink.js';
export { jsonLinesFileSink } from './sink/json-lines-file-sink.js';
export type { FileCommittable, JsonLinesFileSinkOptions } from './sink/json-lines-file-sink.js';

export * from './options/index.js';

export * from './state/index.js';
export * from './time/index.js';
export * from './metrics/index.js';

export const VERSION = '0.1.0';
