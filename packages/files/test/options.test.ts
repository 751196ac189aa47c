import { OptionsError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, jsonLinesFormat, kafkaNotificationPolicy, webhookPolicy, type BucketedFileSinkOptions } from '../src/index.js';
import { parquetFormat } from '../src/parquet.js';

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
const sink = (o: Record<string, unknown>) => bucketedFileSink({ storage: '/tmp/weir-files-options', streamOf: () => 's', ...o } as BucketedFileSinkOptions<unknown>);

describe('bucketedFileSink options', () => {
  it('accepts the documented options', () => {
    expect(() =>
      sink({
        partitionPattern: 'dt=YYYY-MM-DD',
        timeZone: 'Europe/Berlin',
        maxPartBytes: 1024,
        rolloverMs: 0,
        merge: { mode: 'continuous', targetBytes: 1, minFiles: 2 },
        readiness: { delayMs: 0, streams: ['a'], policies: [webhookPolicy({ url: 'http://localhost:1/x', maxAttempts: 2 })], retainMs: 1, finalWaitMs: 1 },
        late: { mode: 'reannounce', onLate: () => undefined },
        format: jsonLinesFormat({ bufferChars: 10 }),
      }),
    ).not.toThrow();
  });

  it('rejects unknown keys, misspelt modes and negative durations, all at once', () => {
    const msg = problemOf(() => sink({ merge: { mode: 'on_ready' }, readiness: { delayMS: 5 }, rolloverMs: -1, streamsOf: () => 's' }));
    expect(msg).toContain("merge.mode: invalid value 'on_ready'; expected 'on-ready' | 'continuous' | 'off' (did you mean 'on-ready'?)");
    expect(msg).toContain("readiness: unknown key 'delayMS' (did you mean 'delayMs'?)");
    expect(msg).toContain('rolloverMs: must be >= 0, got -1');
    expect(msg).toContain("(options): unknown key 'streamsOf' (did you mean 'streamOf'?)");
    expect(problemOf(() => sink({ late: { mode: 'side_output' } }))).toContain("did you mean 'side-output'?");
  });

  it('checks the partition pattern and time zone when the sink is created, not when the job starts', () => {
    expect(problemOf(() => sink({ partitionPattern: 'year=YYYY' }))).toContain('partitionPattern: partition pattern "year=YYYY" needs DD (daily) or HH (hourly)');
    expect(problemOf(() => sink({ timeZone: 'Europe/Berln' }))).toContain('timeZone: unknown IANA time zone');
  });

  it('checks storage and function options by shape', () => {
    expect(problemOf(() => sink({ storage: {} }))).toContain('storage: expected a directory or a FileStorage');
    expect(problemOf(() => sink({ streamOf: 'stream' }))).toContain("streamOf: expected a function, got 'stream'");
  });
});

describe('formats and policies', () => {
  it('jsonLinesFormat and parquetFormat reject unknown keys and values', () => {
    expect(problemOf(() => jsonLinesFormat({ bufferChars: 0 }))).toContain('bufferChars: must be >= 1, got 0');
    expect(problemOf(() => parquetFormat({ toArrow: () => undefined as never, compression: 'snapy' as never }))).toContain("compression: invalid value 'snapy'; expected 'zstd' | 'snappy' | 'gzip' | 'none' (did you mean 'snappy'?)");
  });

  it('webhookPolicy uses maxAttempts like the restart strategies', () => {
    expect(problemOf(() => webhookPolicy({ url: 'http://h/x', attempts: 3 } as never))).toContain("unknown key 'attempts': renamed to 'maxAttempts'");
    expect(problemOf(() => webhookPolicy({ url: 'not a url' }))).toContain('url:');
  });

  it('kafkaNotificationPolicy needs a producer or a publish callback', () => {
    expect(problemOf(() => kafkaNotificationPolicy({ topic: 't' }))).toContain('needs a producer or a publish callback');
    expect(problemOf(() => kafkaNotificationPolicy({ topic: 't', producer: {} as never }))).toContain('producer: expected a producer with send()');
  });
});
