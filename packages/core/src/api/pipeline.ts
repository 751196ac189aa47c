/** The entry point: define steps on a `Pipeline`, then `start()` or `run()` it. */

import { LocalCheckpointStorage, type CheckpointStorage } from '../checkpoint/storage.js';
import { consoleLogger, type Logger } from '../metrics/logger.js';
import { MetricsRegistry } from '../metrics/registry.js';
import type { Source, SourceSplit } from '../source/types.js';
import { DEFAULT_MAX_PARALLELISM } from '../state/key-groups.js';
import { classicLevelStateBackend } from '../state/index.js';
import type { StateBackendFactory } from '../state/types.js';
import type { WatermarkStrategy } from '../time/types.js';
import { Job, type JobResult } from '../runtime/job.js';
import { createScratchDir, scratchPrefix } from '../runtime/scratch-dirs.js';
import type { RestartStrategy } from '../runtime/restart-strategy.js';
import { BroadcastCell, startBroadcastWatches, type BroadcastOptions, type BroadcastValue } from '../broadcast/broadcast-value.js';
import type { DeadLetter } from './functions.js';
import type { ErrorPolicy, InputEdge, StepNode } from './graph.js';
import type { KeyByOptions, KeyExchange } from './exchange.js';
import { Stream, type StepRegistry } from './stream.js';
import { validateOptions } from '../options/validate.js';
import { pipelineOptionsSchema } from './pipeline-options.js';
import { broadcastOptionsSchema } from '../options/core-schemas.js';

export interface PipelineOptions {
  /** Job name (labels metrics, names the default checkpoint directory). */
  name: string;
  checkpoints?: {
    /** Periodic interval in ms (default 10 s; 0 = only the final checkpoint at drain/end). */
    intervalMs?: number;
    /** A checkpoint not complete after this long is abandoned (default 10 min). */
    timeoutMs?: number;
    /** Minimum pause between the end of one checkpoint and the start of the next (default 0). */
    minPauseMs?: number;
    /** Completed checkpoints to keep (default 3). Savepoints are always kept. */
    keep?: number;
    /**
     * Checkpoint directory. Without one, checkpoints go to a temporary directory of this run
     * (restarts inside the process still restore; a new process starts fresh).
     */
    dir?: string;
    /** Another storage implementation (object stores). */
    storage?: CheckpointStorage;
  };
  /** Keyed state backend (default classic-level). */
  stateBackend?: StateBackendFactory;
  /** Scratch directory for embedded state stores (default: a temp directory). */
  workDir?: string;
  /** Restart strategy after a failure (default: exponential backoff 1 s .. 60 s, unlimited). */
  restart?: RestartStrategy;
  /** What a step does with a record its function throws on (default 'dead-letter'). */
  errorPolicy?: ErrorPolicy;
  /**
   * Where a first start comes from. Every start restores the newest completed checkpoint or
   * savepoint in the job's own storage; a checkpoint / savepoint directory given here is used
   * only while the storage holds nothing newer (a first start from a savepoint into fresh
   * storage), so it is safe to leave in a deployment's configuration. 'latest' (default) and
   * 'none' name no directory; a bare word close to one of them (`'lastest'`) is rejected (write
   * `./name` for a directory of that name).
   *
   * A list is a **savepoint set**: the savepoints of every instance of the previous run (one
   * each), given to every instance of a rescaled run; each takes its key groups' state and its
   * source splits from them. Newer checkpoints in the instance's own storage still win.
   */
  restoreFrom?: string | string[];
  /** Start even when the restored checkpoint holds state of steps the pipeline no longer has (that state is dropped). Default false. */
  allowNonRestoredState?: boolean;
  /** Restore from the final checkpoint of a drain although its windows already fired (results are emitted again). Default false. */
  allowRestoreAfterDrain?: boolean;
  /** A suspend or drain not finished after this long ends as a cancel (default 30 000, Kubernetes' terminationGracePeriodSeconds). */
  stopGracePeriodMs?: number;
  /** A job failure repeating at the same source position this many times skips the record into the dead letters (policy 'fail': the job ends). Default 3. */
  skipRecordAfterFailures?: number;
  /** Aborting the signal suspends the job. */
  signal?: AbortSignal;
  /** Scale-out over processes: this instance's index and the instance count. */
  subtask?: number;
  parallelism?: number;
  /**
   * Number of key groups keyed state is split into (default 128): the most instances the job
   * can ever run on. Fixed for the job's life (recorded in checkpoints; a restore with another
   * value is refused).
   */
  maxParallelism?: number;
  /** How keyed steps get their records on several instances (e.g. `kafkaExchange` of @weir/kafka); unused on one instance. */
  exchange?: KeyExchange;
  logger?: Logger;
  metrics?: MetricsRegistry;
  /** Longest a source poll waits when idle (bounds checkpoint/stop latency; default 100 ms). */
  pollTimeoutMs?: number;
  /** Processing-time clock (tests). */
  now?: () => number;
}

export interface SourceOptions<T> {
  /** Event time and watermarks (per split), idleness and alignment. */
  watermarks?: WatermarkStrategy<T>;
}

export class Pipeline {
  private readonly steps: StepNode[] = [];
  private readonly names = new Set<string>();
  private deadLetterStream: Stream<DeadLetter> | undefined;
  private readonly broadcasts = new Map<string, BroadcastCell<unknown>>();

  /** Throws an {@link OptionsError} on unknown keys, misspelt values and invalid numbers. */
  constructor(readonly options: PipelineOptions) {
    validateOptions(pipelineOptionsSchema, options, 'Pipeline options');
  }

  /** Streams add their steps through this object, which keeps `addStep` off the public API. */
  private readonly registry: StepRegistry = {
    addStep: (node) => this.addStep(node),
    keyedInput: (step, input, keyFn, options) => this.keyedInput(step, input, keyFn, options),
  };

  /** On several instances, a keyed step's input crosses instances through the exchange (see api/exchange.ts). */
  private keyedInput(stepName: string, input: InputEdge, keyFn: (value: any) => string | number, options: KeyByOptions): InputEdge {
    const o = this.options;
    const parallelism = o.parallelism ?? 1;
    if (parallelism === 1 || options.prePartitioned === true) return input;
    if (o.exchange === undefined) {
      throw new Error(
        `keyed step '${stepName}' runs on ${parallelism} instances, so records of one key arrive at several instances: ` +
          "give the Pipeline an exchange (e.g. kafkaExchange from @weir/kafka), or declare keyBy(fn, { prePartitioned: true }) when the input already arrives by key group.",
      );
    }
    const key = (v: unknown) => {
      const k = keyFn(v);
      return typeof k === 'string' ? k : String(k);
    };
    const context = { jobName: o.name, stepName, subtask: o.subtask ?? 0, parallelism, maxParallelism: o.maxParallelism ?? DEFAULT_MAX_PARALLELISM };
    return o.exchange.route(new Stream<unknown>(this.registry, input), key, context, this).edge;
  }

  private addStep(node: StepNode): void {
    if (this.names.has(node.name)) throw new Error(`duplicate step name '${node.name}': step names are the identity of state and must be unique`);
    if (node.name.length === 0) throw new Error('step names must not be empty');
    this.names.add(node.name);
    this.steps.push(node);
  }

  /** Add a source. */
  source<T, S extends SourceSplit = SourceSplit>(name: string, source: Source<T, S, any>, options: SourceOptions<T> = {}): Stream<T> {
    const node: StepNode = { kind: 'source', name, source: source as Source<any, SourceSplit, any>, watermarks: options.watermarks, inputs: [], options: {} };
    this.addStep(node);
    return new Stream<T>(this.registry, { node });
  }

  /** Every record any step routed to the dead letters, with the step name and the reason. */
  deadLetters(name = 'weir.dead-letters'): Stream<DeadLetter> {
    if (this.deadLetterStream === undefined) {
      const node: StepNode = { kind: 'deadLetters', name, inputs: [], options: {} };
      this.addStep(node);
      this.deadLetterStream = new Stream<DeadLetter>(this.registry, { node });
    }
    return this.deadLetterStream;
  }

  /**
   * A value broadcast to every step (e.g. hot-reloadable rules). `propose()` stages a new value;
   * the runtime switches it at the next checkpoint barrier, so every step and split sees the new
   * version from the same point of the stream. With periodic checkpoints disabled it switches on
   * a short timer instead. `options.watch` runs while the job runs and may propose at any time.
   */
  broadcast<T>(name: string, initial: T, options: BroadcastOptions<T> = {}): BroadcastValue<T> {
    validateOptions(broadcastOptionsSchema, options, `broadcast '${name}' options`);
    if (this.broadcasts.has(name)) throw new Error(`duplicate broadcast name '${name}'`);
    const cell = new BroadcastCell<T>(name, initial, options);
    this.broadcasts.set(name, cell as BroadcastCell<unknown>);
    return cell;
  }

  /** Start the job; the returned handle stops it, checkpoints it and reports on it. */
  start(): Job {
    const o = this.options;
    const cp = o.checkpoints ?? {};
    const metrics = o.metrics ?? new MetricsRegistry({ defaultLabels: { job: o.name } });
    const broadcasts = [...this.broadcasts.values()];
    const stopWatches = startBroadcastWatches(broadcasts);
    const job = new Job({
      broadcasts,
      jobName: o.name,
      steps: [...this.steps],
      storage: cp.storage ?? new LocalCheckpointStorage(cp.dir ?? createScratchDir(scratchPrefix('checkpoints-', o.name))),
      ownsStorageDir: cp.storage === undefined && cp.dir === undefined,
      checkpoints: { intervalMs: cp.intervalMs ?? 10_000, timeoutMs: cp.timeoutMs ?? 600_000, minPauseMs: cp.minPauseMs ?? 0, keep: cp.keep ?? 3 },
      stateBackend: o.stateBackend ?? classicLevelStateBackend(),
      workDir: o.workDir,
      subtask: o.subtask ?? 0,
      parallelism: o.parallelism ?? 1,
      maxParallelism: o.maxParallelism ?? DEFAULT_MAX_PARALLELISM,
      errorPolicy: o.errorPolicy ?? 'dead-letter',
      pollTimeoutMs: o.pollTimeoutMs ?? 100,
      logger: o.logger ?? consoleLogger('warn'),
      metrics,
      now: o.now ?? Date.now,
      restart: o.restart ?? { kind: 'exponential-backoff', initialDelayMs: 1000, maxDelayMs: 60_000 },
      restoreFrom: o.restoreFrom ?? 'latest',
      allowNonRestoredState: o.allowNonRestoredState ?? false,
      allowRestoreAfterDrain: o.allowRestoreAfterDrain ?? false,
      stopGracePeriodMs: o.stopGracePeriodMs ?? 30_000,
      skipRecordAfterFailures: o.skipRecordAfterFailures ?? 3,
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
    });
    job.done.then(stopWatches, stopWatches);
    return job;
  }

  /** Start and wait for the end (bounded sources, or a stop from elsewhere). */
  run(): Promise<JobResult> {
    return this.start().done;
  }
}
