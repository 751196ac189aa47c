/**
 * A deterministic harness for pipelines (Kafka Streams' TopologyTestDriver for Weir): inputs
 * whose records, event times and watermarks the test sets, processing time that moves only
 * when the test says so, checkpoints only on request, and restores. Every call returns once
 * the job processed what it caused — no sleeps, no wall clock.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, type PipelineOptions } from '../api/pipeline.js';
import type { Stream } from '../api/stream.js';
import type { CompletedCheckpoint } from '../checkpoint/storage.js';
import type { Job, JobResult } from '../runtime/job.js';
import type { StopMode } from '../runtime/job-runtime.js';
import { RestartStrategies } from '../runtime/restart-strategy.js';
import { memorySink, type MemorySink } from '../sink/memory-sink.js';
import { TestClock } from './test-clock.js';
import { TestSource, type TestRecord } from './test-source.js';

/** `Pipeline` options the driver passes on; it sets `now`, `checkpoints`, `pollTimeoutMs` itself. */
export interface TestDriverOptions extends Omit<PipelineOptions, 'name' | 'now' | 'checkpoints' | 'signal' | 'pollTimeoutMs'> {
  /** Job name (default 'test'). */
  name?: string;
  /** Processing time when the driver is created (default 0). */
  startTime?: number;
}

/** Options of `driver.input()`. */
export interface TestInputOptions {
  /** Split ids (default `['0']`); records are piped into one of them. */
  splits?: string[];
}

/** A source the test feeds: records with event times per split, and the watermark. */
export interface TestInput<T> {
  /** The source's stream, to build the pipeline on. */
  readonly stream: Stream<T>;
  /**
   * Append records to a split (default the first) and wait until the job processed them.
   * A record without `timestamp` gets the driver's current processing time.
   */
  pipe(records: ReadonlyArray<TestRecord<T>>, options?: { split?: string }): Promise<void>;
  /** Move this input's watermark (every split) forward and wait until event-time timers and windows it fires ran. */
  advanceWatermark(watermark: number): Promise<void>;
}

/** Runs one pipeline deterministically: inputs, outputs, a test clock, checkpoints and restores on request. */
export class TestDriver {
  /** The pipeline the inputs and outputs belong to (add more steps, dead letters, broadcasts). */
  readonly pipeline: Pipeline;
  private readonly clock: TestClock;
  private readonly sources: Array<TestSource<unknown>> = [];
  private readonly dir: string;
  private current: Job | undefined;

  constructor(options: TestDriverOptions = {}) {
    const { startTime, name, ...rest } = options;
    this.clock = new TestClock(startTime ?? 0);
    this.dir = mkdtempSync(join(tmpdir(), 'weir-test-driver-'));
    this.pipeline = new Pipeline({
      restart: RestartStrategies.none(), // a failure surfaces in the test instead of a real-time backoff
      ...rest,
      name: name ?? 'test',
      now: this.clock.now,
      // checkpoints only when the test calls checkpoint(); one storage across restores
      checkpoints: { intervalMs: 0, dir: join(this.dir, 'checkpoints') },
      pollTimeoutMs: 60_000,
    });
  }

  /** Add a source step the test feeds. */
  input<T>(name: string, options: TestInputOptions = {}): TestInput<T> {
    const splits = options.splits ?? ['0'];
    if (splits.length === 0) throw new Error('a test input needs at least one split');
    const source = new TestSource<T>(splits);
    this.sources.push(source as TestSource<unknown>);
    const stream = this.pipeline.source(name, source, { watermarks: source.watermarks });
    return {
      stream,
      pipe: async (records, o = {}) => {
        const now = this.clock.now();
        source.append(o.split ?? splits[0]!, records.map((r) => ({ value: r.value, timestamp: r.timestamp ?? now })));
        await this.settle();
      },
      advanceWatermark: async (watermark) => {
        source.setWatermark(watermark);
        await this.settle();
      },
    };
  }

  /** Add a sink step whose committed records the test reads (`committed` holds what completed checkpoints committed). */
  output<T>(name: string, stream: Stream<T>): MemorySink<T> {
    const sink = memorySink<T>();
    stream.sink(name, sink);
    return sink;
  }

  /** The current processing time. */
  get now(): number {
    return this.clock.now();
  }

  /** The running job (status, metrics). */
  get job(): Job {
    if (this.current === undefined) throw new Error('the driver has not started: call start()');
    return this.current;
  }

  /** Start the job (restoring the newest checkpoint of the driver's storage, if any). */
  async start(): Promise<void> {
    if (this.sources.length === 0) throw new Error('a test driver needs at least one input()');
    if (this.current !== undefined) throw new Error('the driver already runs a job');
    for (const s of this.sources) s.detachReader();
    this.current = this.pipeline.start();
    this.current.done.catch(() => undefined);
    await this.settle();
  }

  /** Move processing time forward; processing-time timers due by then fire. */
  async advanceTime(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.settle();
  }

  /** Take a checkpoint now; its output is committed to the sinks when this resolves. */
  async checkpoint(): Promise<CompletedCheckpoint> {
    const cp = await this.job.checkpoint();
    if (cp === undefined) throw new Error('checkpoint not taken: the job is not running');
    await this.settle();
    return cp;
  }

  /**
   * Stop the job and start a new one from the driver's checkpoint storage. `suspend` (default)
   * takes a savepoint first, so the new job continues exactly; `cancel` is a crash: the new job
   * restores the last checkpoint and re-reads what came after it.
   */
  async restore(options: { mode?: 'suspend' | 'cancel' } = {}): Promise<JobResult> {
    const result = await this.stop({ mode: options.mode ?? 'suspend' });
    await this.start();
    return result;
  }

  /** Stop the job (default suspend); `drain` fires every window and timer and commits them. */
  async stop(options: { mode?: StopMode } = {}): Promise<JobResult> {
    const job = this.job;
    this.current = undefined;
    return job.stop({ mode: options.mode ?? 'suspend' });
  }

  /** Cancel a running job and remove the driver's checkpoints. */
  async close(): Promise<void> {
    if (this.current !== undefined) await this.stop({ mode: 'cancel' }).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** `await using driver = new TestDriver()`: closes the driver at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Wait until the job processed everything the test caused: fire due processing-time timers
   * (each queues a mailbox action), then make every input poll once. The mailbox runs actions
   * in order, so once every reader is back in `poll` with nothing queued, the timers' actions,
   * the records and the watermarks all went through the graph. Repeats while timers that
   * actions registered are already due.
   */
  private async settle(): Promise<void> {
    const job = this.job;
    const ended = job.done.then(() => 'ended' as const);
    for (;;) {
      this.clock.fireDue();
      for (const s of this.sources) s.tick();
      const r = await Promise.race([Promise.all(this.sources.map((s) => s.caughtUp())), ended]);
      if (r === 'ended') throw new Error('the job ended while the driver waited for it (see job.done)');
      if (!this.clock.hasDue()) return;
    }
  }
}
