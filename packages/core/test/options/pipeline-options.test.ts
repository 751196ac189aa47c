import { describe, expect, it } from 'vitest';
import {
  OptionsError,
  Pipeline,
  RestartStrategies,
  MetricsRegistry,
  classicLevelStateBackend,
  collectionSource,
  consoleLogger,
  generatorSource,
  jsonLinesFileSink,
  memorySink,
  silentLogger,
  tumblingWindows,
  type PipelineOptions,
  type Sink,
  type StepOptions,
} from '@weir/core';

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
    const make = () => pipeline({ checkpoints: { intervalMS: 500 } });
    expect(make).toThrow(OptionsError);
    expect(make).toThrow("checkpoints: unknown key 'intervalMS' (did you mean 'intervalMs'?)");
    expect(make).toThrow('invalid Pipeline options');
  });

  it("rejects restoreFrom: 'lastest' instead of failing later with ENOENT", () => {
    const make = () => pipeline({ restoreFrom: 'lastest' });
    expect(make).toThrow("restoreFrom: 'lastest' is neither 'latest', 'none' nor a path (did you mean 'latest'?");
    expect(() => pipeline({ restoreFrom: 'Latest' })).toThrow("did you mean 'latest'?");
    expect(() => pipeline({ restoreFrom: 'nnoe' })).toThrow("did you mean 'none'?");
  });

  it('rejects negative and non-finite intervals', () => {
    expect(() => pipeline({ checkpoints: { intervalMs: -1 } })).toThrow('checkpoints.intervalMs:');
    expect(() => pipeline({ checkpoints: { timeoutMs: Infinity } })).toThrow('checkpoints.timeoutMs:');
    expect(() => pipeline({ pollTimeoutMs: -5 })).toThrow('pollTimeoutMs:');
    expect(() => pipeline({ stopGracePeriodMs: -5 })).toThrow('stopGracePeriodMs:');
    expect(() => pipeline({ skipRecordAfterFailures: 0 })).toThrow('skipRecordAfterFailures:');
  });

  it('rejects wrong enum values with the allowed ones and unknown top-level keys', () => {
    const make = () => pipeline({ errorPolicy: 'dead_letter', parallelizm: 2 });
    expect(make).toThrow("errorPolicy: invalid value 'dead_letter'; expected 'fail' | 'dead-letter' (did you mean 'dead-letter'?)");
    expect(make).toThrow("(options): unknown key 'parallelizm' (did you mean 'parallelism'?)");
  });

  it('lists every problem at once, with paths', () => {
    const make = () => pipeline({ checkpoints: { keep: 0, dir: 5 }, pollTimeoutMs: '100' });
    expect(make).toThrow('checkpoints.keep: must be >= 1, got 0');
    expect(make).toThrow('checkpoints.dir: expected string, got 5');
    expect(make).toThrow("pollTimeoutMs: expected number, got '100'");
    expect(() => pipeline({ subtask: 3, parallelism: 2 })).toThrow('subtask: must be below parallelism (2)');
  });

  it('maxParallelism bounds parallelism; restoreFrom takes a savepoint set; exchange needs route', () => {
    expect(() => pipeline({ parallelism: 9, maxParallelism: 8 })).toThrow('parallelism: must be at most maxParallelism (8)');
    expect(() => pipeline({ maxParallelism: 40_000 })).toThrow('maxParallelism');
    expect(() => pipeline({ parallelism: 200 })).toThrow('must be at most maxParallelism (128)');
    expect(() => pipeline({ restoreFrom: ['/sp/a', '/sp/b'] })).not.toThrow();
    expect(() => pipeline({ restoreFrom: [] })).toThrow('restoreFrom');
    expect(() => pipeline({ exchange: {} })).toThrow('exchange');
  });

  it('restart strategies use maxAttempts; attempts says it was renamed', () => {
    expect(() => pipeline({ restart: { kind: 'fixed-delay', attempts: 3, delayMs: 10 } })).toThrow("restart: unknown key 'attempts': renamed to 'maxAttempts'");
    expect(() => pipeline({ restart: { kind: 'fixed_delay', maxAttempts: 3, delayMs: 10 } })).toThrow(
      "restart.kind: invalid value 'fixed_delay'; expected 'none' | 'fixed-delay' | 'exponential-backoff' (did you mean 'fixed-delay'?)",
    );
    expect(() => pipeline({ restart: { kind: 'exponential-backoff', initialDelayMs: 1, maxDelayMs: 10, maxAttempts: 3 } })).not.toThrow();
  });

  it('checks objects passed through by their shape', () => {
    expect(() => pipeline({ logger: console.log })).toThrow('logger: expected a Logger, got a function');
    expect(() => pipeline({ signal: {} })).toThrow('signal: expected an AbortSignal');
    expect(() => new Pipeline(undefined as unknown as PipelineOptions)).toThrow('(options): expected object, got undefined');
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
    expect(() => jsonLinesFileSink({ dir: '/tmp/x', prefx: 'p' } as never)).toThrow("unknown key 'prefx' (did you mean 'prefix'?)");
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
    expect(() => generatorSource({ generate: (s: number, o: number) => s + o, recordPerSplit: 5 } as never)).toThrow("unknown key 'recordPerSplit' (did you mean 'recordsPerSplit'?)");
    expect(() => generatorSource({ generate: (s, o) => s + o, splits: 0 })).toThrow('splits: must be >= 1, got 0');
    expect(() => collectionSource([1], { batchsize: 2 } as never)).toThrow("did you mean 'batchSize'?");
  });

  it("step options: a misspelt onError fails when the step is defined", () => {
    const p = new Pipeline({ name: 'steps', logger: silentLogger });
    const s = p.source('n', collectionSource([1]));
    expect(() => s.map('m', (x) => x, { onError: 'dead_letter' } as unknown as StepOptions)).toThrow("step 'm' options:\n  - onError: invalid value 'dead_letter'");
    expect(() => s.asyncMap('a', async (x) => x, { concurency: 2 } as never)).toThrow("did you mean 'concurrency'?");
    const keyed = s.keyBy((x) => String(x));
    expect(() => keyed.window('w', tumblingWindows(10), { create: () => 0, add: (a: number) => a, result: (a) => a }, { allowedLateness: 5 } as never)).toThrow(
      "did you mean 'allowedLatenessMs'?",
    );
    expect(() => p.broadcast('rules', {}, { wacth: () => () => undefined } as never)).toThrow("broadcast 'rules' options:\n  - (options): unknown key 'wacth' (did you mean 'watch'?)");
    expect(() => keyed.window('w2', tumblingWindows(10), { create: () => 0, add: (a: number) => a, result: (a) => a }, { allowedLatenessMs: 5, onError: 'fail' })).not.toThrow();
  });

  it('consoleLogger and MetricsRegistry check their options', () => {
    expect(() => consoleLogger('warning' as never)).toThrow("level: invalid value 'warning'; expected 'debug' | 'info' | 'warn' | 'error' | 'silent' (did you mean 'warn'?)");
    expect(() => new MetricsRegistry({ recentCheckpoint: 5 } as never)).toThrow("did you mean 'recentCheckpoints'?");
  });

  it('state backend options are checked', () => {
    expect(() => classicLevelStateBackend({ cachesize: 5 } as never)).toThrow("did you mean 'cacheSize'?");
  });
});
