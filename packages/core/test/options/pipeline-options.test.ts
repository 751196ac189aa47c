import { describe, expect, it } from 'vitest';
import {
  OptionsError,
  Pipeline,
  RestartStrategies,
  classicLevelStateBackend,
  collectionSource,
  generatorSource,
  jsonLinesFileSink,
  memorySink,
  silentLogger,
  tumblingWindows,
  type PipelineOptions,
  type Sink,
  type StepOptions,
} from '@weir/core';

/** The OptionsError a constructor throws, for its message. */
function problemOf(make: () => unknown): string {
  try {
    make();
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    return (err as OptionsError).message;
  }
  throw new Error('expected an OptionsError');
}

// options as they arrive from plain JS or the environment: unchecked by tsc
const pipeline = (o: Record<string, unknown>) => new Pipeline({ name: 'job', ...o } as PipelineOptions);

describe('Pipeline options', () => {
  it('accepts every documented option', () => {
    const p = new Pipeline({
      name: 'job',
      checkpoints: { intervalMs: 0, timeoutMs: 1000, minPauseMs: 0, keep: 1, dir: '/tmp/x' },
      restart: RestartStrategies.fixedDelay({ maxAttempts: 2, delayMs: 10 }),
      errorPolicy: 'fail',
      restoreFrom: './lastest',
      allowNonRestoredState: true,
      allowRestoreAfterDrain: false,
      stopGracePeriodMs: 0,
      skipRecordAfterFailures: 1,
      signal: new AbortController().signal,
      subtask: 1,
      parallelism: 2,
      logger: silentLogger,
      pollTimeoutMs: 50,
      now: Date.now,
    });
    expect(p.options.name).toBe('job');
    expect(() => pipeline({ restoreFrom: 'none' })).not.toThrow();
    expect(() => pipeline({ restoreFrom: '/var/ckpt/savepoint-7' })).not.toThrow();
    expect(() => pipeline({ restoreFrom: 'checkpoints-of-yesterday' })).not.toThrow();
  });

  it("rejects checkpoints.intervalMS with a did-you-mean instead of ignoring it", () => {
    const msg = problemOf(() => pipeline({ checkpoints: { intervalMS: 500 } }));
    expect(msg).toContain("checkpoints: unknown key 'intervalMS' (did you mean 'intervalMs'?)");
    expect(msg).toContain('invalid Pipeline options');
  });

  it("rejects restoreFrom: 'lastest' instead of failing later with ENOENT", () => {
    const msg = problemOf(() => pipeline({ restoreFrom: 'lastest' }));
    expect(msg).toContain("restoreFrom: 'lastest' is neither 'latest', 'none' nor a path (did you mean 'latest'?");
    expect(problemOf(() => pipeline({ restoreFrom: 'Latest' }))).toContain("did you mean 'latest'?");
    expect(problemOf(() => pipeline({ restoreFrom: 'nnoe' }))).toContain("did you mean 'none'?");
  });

  it('rejects negative and non-finite intervals', () => {
    expect(problemOf(() => pipeline({ checkpoints: { intervalMs: -1 } }))).toContain('checkpoints.intervalMs:');
    expect(problemOf(() => pipeline({ checkpoints: { timeoutMs: Infinity } }))).toContain('checkpoints.timeoutMs:');
    expect(problemOf(() => pipeline({ pollTimeoutMs: -5 }))).toContain('pollTimeoutMs:');
    expect(problemOf(() => pipeline({ stopGracePeriodMs: -5 }))).toContain('stopGracePeriodMs:');
    expect(problemOf(() => pipeline({ skipRecordAfterFailures: 0 }))).toContain('skipRecordAfterFailures:');
  });

  it('rejects wrong enum values with the allowed ones and unknown top-level keys', () => {
    const msg = problemOf(() => pipeline({ errorPolicy: 'dead_letter', parallelizm: 2 }));
    expect(msg).toContain("errorPolicy: invalid value 'dead_letter'; expected 'fail' | 'dead-letter' (did you mean 'dead-letter'?)");
    expect(msg).toContain("(options): unknown key 'parallelizm' (did you mean 'parallelism'?)");
  });

  it('lists every problem at once, with paths', () => {
    const msg = problemOf(() => pipeline({ checkpoints: { keep: 0, dir: 5 }, pollTimeoutMs: '100' }));
    expect(msg).toContain('checkpoints.keep: must be >= 1, got 0');
    expect(msg).toContain('checkpoints.dir: expected string, got 5');
    expect(msg).toContain("pollTimeoutMs: expected number, got '100'");
    expect(problemOf(() => pipeline({ subtask: 3, parallelism: 2 }))).toContain('subtask: must be below parallelism (2)');
  });

  it('restart strategies use maxAttempts; attempts says it was renamed', () => {
    expect(problemOf(() => pipeline({ restart: { kind: 'fixed-delay', attempts: 3, delayMs: 10 } }))).toContain("restart: unknown key 'attempts': renamed to 'maxAttempts'");
    expect(problemOf(() => pipeline({ restart: { kind: 'fixed_delay', maxAttempts: 3, delayMs: 10 } }))).toContain('restart.kind');
    expect(() => pipeline({ restart: { kind: 'exponential-backoff', initialDelayMs: 1, maxDelayMs: 10, maxAttempts: 3 } })).not.toThrow();
  });

  it('checks objects passed through by their shape', () => {
    expect(problemOf(() => pipeline({ logger: console.log }))).toContain('logger: expected a Logger, got a function');
    expect(problemOf(() => pipeline({ signal: {} }))).toContain('signal: expected an AbortSignal');
    expect(problemOf(() => new Pipeline(undefined as unknown as PipelineOptions))).toContain('(options): expected object, got undefined');
  });
});

describe('sinks', () => {
  it('memorySink is a Sink with its committed records', async () => {
    const out = memorySink<number>();
    const p = new Pipeline({ name: 'mem', logger: silentLogger, checkpoints: { intervalMs: 0 } });
    p.source('n', collectionSource([1, 2, 3])).sink('out', out);
    await p.run();
    expect(out.committed).toEqual([1, 2, 3]);
    expect(out.committedCount()).toBe(3);
    expect(out.pendingCount()).toBe(0);
  });

  it('jsonLinesFileSink rejects unknown keys', () => {
    expect(problemOf(() => jsonLinesFileSink({ dir: '/tmp/x', prefx: 'p' } as never))).toContain("unknown key 'prefx' (did you mean 'prefix'?)");
  });

  it('an OptionsError from a sink fails the job without restarts', async () => {
    let attempts = 0;
    const sink: Sink<number> = {
      async createWriter(ctx) {
        attempts++;
        expect(ctx.checkpointIntervalMs).toBe(1234);
        throw new OptionsError('test sink options', ['x: wrong']);
      },
      createCommitter: async () => ({ commit: async () => undefined }),
    };
    const p = new Pipeline({ name: 'opt-fail', logger: silentLogger, checkpoints: { intervalMs: 1234 }, restart: RestartStrategies.fixedDelay({ maxAttempts: 5, delayMs: 1 }) });
    p.source('n', collectionSource([1])).sink('out', sink);
    await expect(p.run()).rejects.toBeInstanceOf(OptionsError);
    expect(attempts).toBe(1);
  });
});

describe('sources, steps and state backends', () => {
  it('generatorSource and collectionSource reject unknown keys and bad counts', () => {
    expect(problemOf(() => generatorSource({ generate: (s: number, o: number) => s + o, recordPerSplit: 5 } as never))).toContain("unknown key 'recordPerSplit' (did you mean 'recordsPerSplit'?)");
    expect(problemOf(() => generatorSource({ generate: (s, o) => s + o, splits: 0 }))).toContain('splits: must be >= 1, got 0');
    expect(problemOf(() => collectionSource([1], { batchsize: 2 } as never))).toContain("did you mean 'batchSize'?");
  });

  it("step options: a misspelt onError fails when the step is defined", () => {
    const p = new Pipeline({ name: 'steps', logger: silentLogger });
    const s = p.source('n', collectionSource([1]));
    expect(problemOf(() => s.map('m', (x) => x, { onError: 'dead_letter' } as unknown as StepOptions))).toContain("step 'm' options:\n  - onError: invalid value 'dead_letter'");
    expect(problemOf(() => s.asyncMap('a', async (x) => x, { concurency: 2 } as never))).toContain("did you mean 'concurrency'?");
    const keyed = s.keyBy((x) => String(x));
    expect(problemOf(() => keyed.window('w', tumblingWindows(10), { create: () => 0, add: (a: number) => a, result: (a) => a }, { allowedLateness: 5 } as never))).toContain(
      "did you mean 'allowedLatenessMs'?",
    );
    expect(() => keyed.window('w2', tumblingWindows(10), { create: () => 0, add: (a: number) => a, result: (a) => a }, { allowedLatenessMs: 5, onError: 'fail' })).not.toThrow();
  });

  it('state backend options are checked', () => {
    expect(problemOf(() => classicLevelStateBackend({ cachesize: 5 } as never))).toContain("did you mean 'cacheSize'?");
  });
});
