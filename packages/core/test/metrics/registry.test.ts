import { Counter, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { MAX_WATERMARK } from '../../src/time/types.js';

/** The value of one series line `name{labels} value` in a text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsRegistry: step and split series', () => {
  it('exposes the values set on StepMetrics, labelled by step', async () => {
    const reg = new MetricsRegistry();
    const parse = reg.step('parse');
    const sink = reg.step('sink');
    expect(reg.step('parse')).toBe(parse);
    parse.recordsIn += 1_000;
    parse.recordsOut += 990;
    parse.busyNs += 1_500_000_000;
    parse.backpressuredNs += 250_000_000;
    parse.watermark = 1_700_000_000_000;
    parse.errors += 3;
    parse.deadLetters += 2;
    sink.recordsIn = 990;

    const text = await reg.prometheus();
    expect(sample(text, 'weir_step_records_in_total{step="parse"}')).toBe(1_000);
    expect(sample(text, 'weir_step_records_in_total{step="sink"}')).toBe(990);
    expect(sample(text, 'weir_step_records_out_total{step="parse"}')).toBe(990);
    expect(sample(text, 'weir_step_busy_seconds_total{step="parse"}')).toBe(1.5);
    expect(sample(text, 'weir_step_backpressured_seconds_total{step="parse"}')).toBe(0.25);
    expect(sample(text, 'weir_step_watermark_ms{step="parse"}')).toBe(1_700_000_000_000);
    expect(sample(text, 'weir_step_errors_total{step="parse"}')).toBe(3);
    expect(sample(text, 'weir_dead_letters_total{step="parse"}')).toBe(2);
    expect(text).toContain('# TYPE weir_step_records_in_total counter');
    expect(text).toContain('# TYPE weir_step_watermark_ms gauge');
    // No watermark yet on 'sink': no series rather than MIN_SAFE_INTEGER.
    expect(sample(text, 'weir_step_watermark_ms{step="sink"}')).toBeUndefined();
  });

  it('reads the current field values at every scrape', async () => {
    const reg = new MetricsRegistry();
    const s = reg.step('map');
    s.recordsIn = 5;
    expect(sample(await reg.prometheus(), 'weir_step_records_in_total{step="map"}')).toBe(5);
    s.recordsIn = 12;
    expect(sample(await reg.prometheus(), 'weir_step_records_in_total{step="map"}')).toBe(12);
  });

  it('exposes pending records per split and drops removed splits', async () => {
    const reg = new MetricsRegistry();
    reg.split('orders', '0').pendingRecords = 42;
    reg.split('orders', '1').pendingRecords = 7;
    let text = await reg.prometheus();
    expect(sample(text, 'weir_source_pending_records{step="orders",split="0"}')).toBe(42);
    expect(sample(text, 'weir_source_pending_records{step="orders",split="1"}')).toBe(7);
    reg.removeSplit('orders', '0');
    text = await reg.prometheus();
    expect(sample(text, 'weir_source_pending_records{step="orders",split="0"}')).toBeUndefined();
    expect(sample(text, 'weir_source_pending_records{step="orders",split="1"}')).toBe(7);
  });

  it('skips non-finite values instead of failing the scrape', async () => {
    const reg = new MetricsRegistry();
    reg.step('bad').recordsIn = Number.NaN;
    reg.step('good').recordsIn = 1;
    const text = await reg.prometheus();
    expect(sample(text, 'weir_step_records_in_total{step="bad"}')).toBeUndefined();
    expect(sample(text, 'weir_step_records_in_total{step="good"}')).toBe(1);
  });
});

describe('MetricsRegistry: checkpoints, restarts, labels, registration', () => {
  it('keeps gauges of the last completed checkpoint, a histogram and counts by result', async () => {
    const reg = new MetricsRegistry({ checkpointDurationBucketsMs: [100, 1_000] });
    reg.recordCheckpoint({ id: 1, durationMs: 80, sizeBytes: 4_096, alignmentMs: 5, ok: true });
    reg.recordCheckpoint({ id: 2, durationMs: 700, sizeBytes: 8_192, alignmentMs: 30, ok: true });
    reg.recordCheckpoint({ id: 3, durationMs: 60_000, sizeBytes: 0, alignmentMs: 0, ok: false });
    const text = await reg.prometheus();
    expect(sample(text, 'weir_checkpoint_duration_ms')).toBe(700);
    expect(sample(text, 'weir_checkpoint_size_bytes')).toBe(8_192);
    expect(sample(text, 'weir_checkpoint_alignment_ms')).toBe(30);
    expect(sample(text, 'weir_checkpoint_duration_histogram_ms_bucket{le="100"}')).toBe(1);
    expect(sample(text, 'weir_checkpoint_duration_histogram_ms_bucket{le="1000"}')).toBe(2);
    expect(sample(text, 'weir_checkpoint_duration_histogram_ms_count')).toBe(2);
    expect(sample(text, 'weir_checkpoints_total{result="completed"}')).toBe(2);
    expect(sample(text, 'weir_checkpoints_total{result="failed"}')).toBe(1);
  });

  it('counts restarts, starting from an explicit 0', async () => {
    const reg = new MetricsRegistry();
    expect(sample(await reg.prometheus(), 'weir_restarts_total')).toBe(0);
    reg.incRestarts();
    reg.incRestarts();
    expect(sample(await reg.prometheus(), 'weir_restarts_total')).toBe(2);
  });

  it('applies default labels to every series', async () => {
    const reg = new MetricsRegistry({ defaultLabels: { job: 'orders' } });
    reg.step('map').recordsIn = 3;
    const text = await reg.prometheus();
    expect(sample(text, 'weir_step_records_in_total{step="map",job="orders"}')).toBe(3);
    expect(sample(text, 'weir_restarts_total{job="orders"}')).toBe(0);
  });

  it('accepts connector metrics and keeps jobs apart from each other and from the global registry', async () => {
    const a = new MetricsRegistry();
    const b = new MetricsRegistry();
    const fetches = new Counter({ name: 'kafka_fetch_requests_total', help: 'Fetch requests.', registers: [] });
    a.register(fetches);
    fetches.inc(4);
    a.step('only-in-a').recordsIn = 1;
    expect(sample(await a.prometheus(), 'kafka_fetch_requests_total')).toBe(4);
    const textB = await b.prometheus();
    expect(textB).not.toContain('kafka_fetch_requests_total');
    expect(textB).not.toContain('only-in-a');
    expect(await globalRegistry.metrics()).not.toContain('weir_');
    expect(() => a.register(new Counter({ name: 'weir_restarts_total', help: 'dup', registers: [] }))).toThrow(/already been registered/);
    expect(a.contentType).toMatch(/^text\/plain/);
  });
});

describe('MetricsRegistry.status', () => {
  it('is a JSON-able snapshot of steps, splits, checkpoints and restarts', () => {
    let clock = 1_000;
    const reg = new MetricsRegistry({ now: () => clock, recentCheckpoints: 2 });
    const src = reg.step('source');
    src.recordsOut = 10;
    src.busyNs = 2e9;
    src.watermark = MAX_WATERMARK;
    reg.step('sink');
    const split = reg.split('source', 'p0');
    split.pendingRecords = 5;
    split.watermark = 123;
    split.paused = true;
    reg.recordCheckpoint({ id: 1, durationMs: 10, sizeBytes: 1, alignmentMs: 0, ok: true });
    clock = 2_000;
    reg.recordCheckpoint({ id: 2, durationMs: 20, sizeBytes: 2, alignmentMs: 1, ok: true });
    clock = 3_000;
    reg.recordCheckpoint({ id: 3, durationMs: 30, sizeBytes: 0, alignmentMs: 0, ok: false });
    reg.incRestarts();
    clock = 4_000;

    const status = reg.status();
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    expect(status).toEqual({
      takenAtMs: 4_000,
      state: 'starting',
      steps: [
        { step: 'source', recordsIn: 0, recordsOut: 10, busySeconds: 2, backpressuredSeconds: 0, watermark: MAX_WATERMARK, errors: 0, deadLetters: 0, lateRecords: 0 },
        { step: 'sink', recordsIn: 0, recordsOut: 0, busySeconds: 0, backpressuredSeconds: 0, watermark: null, errors: 0, deadLetters: 0, lateRecords: 0 },
      ],
      splits: [{ step: 'source', split: 'p0', pendingRecords: 5, watermark: 123, idle: false, paused: true }],
      checkpoints: {
        completed: 2,
        failed: 1,
        lastCompleted: { id: 2, durationMs: 20, sizeBytes: 2, alignmentMs: 1, ok: true, recordedAtMs: 2_000 },
        recent: [
          { id: 2, durationMs: 20, sizeBytes: 2, alignmentMs: 1, ok: true, recordedAtMs: 2_000 },
          { id: 3, durationMs: 30, sizeBytes: 0, alignmentMs: 0, ok: false, recordedAtMs: 3_000 },
        ],
      },
      restarts: 1,
    });
  });

  it('returns copies: mutating a snapshot does not change the registry', () => {
    const reg = new MetricsRegistry();
    reg.recordCheckpoint({ id: 1, durationMs: 10, sizeBytes: 1, alignmentMs: 0, ok: true });
    const first = reg.status();
    first.checkpoints.recent[0]!.durationMs = 999;
    first.checkpoints.lastCompleted!.id = 42;
    expect(reg.status().checkpoints.recent[0]!.durationMs).toBe(10);
    expect(reg.status().checkpoints.lastCompleted!.id).toBe(1);
  });
});
