import { OptionsError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, callbackPolicy, jsonLinesFormat, kafkaNotificationPolicy, webhookPolicy, type BucketedFileSinkOptions } from '../src/index.js';
import { parquetFormat } from '../src/parquet.js';

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
    const make = () => sink({ merge: { mode: 'on_ready' }, readiness: { delayMS: 5 }, rolloverMs: -1, streamsOf: () => 's' });
    expect(make).toThrow(OptionsError);
    expect(make).toThrow("merge.mode: invalid value 'on_ready'; expected 'on-ready' | 'continuous' | 'off' (did you mean 'on-ready'?)");
    expect(make).toThrow("readiness: unknown key 'delayMS' (did you mean 'delayMs'?)");
    expect(make).toThrow('rolloverMs: must be >= 0, got -1');
    expect(make).toThrow("(options): unknown key 'streamsOf' (did you mean 'streamOf'?)");
    expect(() => sink({ late: { mode: 'side_output' } })).toThrow("did you mean 'side-output'?");
  });

  it('checks the partition pattern and time zone when the sink is created, not when the job starts', () => {
    expect(() => sink({ partitionPattern: 'year=YYYY' })).toThrow('partitionPattern: partition pattern "year=YYYY" needs DD (daily) or HH (hourly)');
    expect(() => sink({ timeZone: 'Europe/Berln' })).toThrow('timeZone: unknown IANA time zone');
  });

  it('checks storage and function options by shape', () => {
    expect(() => sink({ storage: {} })).toThrow('storage: expected a string or a FileStorage, got an object');
    expect(() => sink({ streamOf: 'stream' })).toThrow("streamOf: expected a function, got 'stream'");
  });
});

describe('formats and policies', () => {
  it('jsonLinesFormat and parquetFormat reject unknown keys and values', () => {
    expect(() => jsonLinesFormat({ bufferChars: 0 })).toThrow('bufferChars: must be >= 1, got 0');
    expect(() => parquetFormat({ toArrow: () => undefined as never, compression: 'snapy' as never })).toThrow("compression: invalid value 'snapy'; expected 'zstd' | 'snappy' | 'gzip' | 'none' (did you mean 'snappy'?)");
  });

  it('webhookPolicy uses maxAttempts like the restart strategies', () => {
    expect(() => webhookPolicy({ url: 'http://h/x', attempts: 3 } as never)).toThrow("unknown key 'attempts': renamed to 'maxAttempts'");
    expect(() => webhookPolicy({ url: 'not a url' })).toThrow('url:');
  });

  it('callbackPolicy rejects unknown option keys', () => {
    expect(() => callbackPolicy('cb', () => undefined, { idempotant: true } as never)).toThrow("callbackPolicy 'cb' options:\n  - (options): unknown key 'idempotant' (did you mean 'idempotent'?)");
  });

  it('kafkaNotificationPolicy needs a producer or a publish callback', () => {
    expect(() => kafkaNotificationPolicy({ topic: 't' })).toThrow('needs a producer or a publish callback');
    expect(() => kafkaNotificationPolicy({ topic: 't', producer: {} as never })).toThrow('producer: expected a producer with send()');
  });
});
