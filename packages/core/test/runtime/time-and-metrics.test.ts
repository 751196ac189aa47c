import { describe, expect, it } from 'vitest';
import { Pipeline, WatermarkStrategies, generatorSource, heapStateBackend, memorySink, silentLogger } from '@weir/core';
import { tempDir } from './helpers.js';

describe('watermark alignment in a running job', () => {
  it('pauses the split that runs ahead so event time of the splits stays within maxDrift', async () => {
    // split 0's event time advances 20x faster than split 1's per record
    const seen: Array<{ s: number; ts: number }> = [];
    let maxGap = 0;
    const latest = [0, 0];
    const out = memorySink<number>();
    const p = new Pipeline({ name: 'align', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('skewed', generatorSource({ splits: 2, recordsPerSplit: 2000, batchSize: 20, ratePerSecond: 1500, generate: (s, o) => ({ s, ts: o * (s === 0 ? 20 : 1) }) }), {
      watermarks: WatermarkStrategies.forMonotonousTimestamps<{ s: number; ts: number }>((r) => r.ts).withAlignment('g', 1000, 10),
    })
      .map('observe', (r) => {
        seen.push(r);
        latest[r.s] = r.ts;
        // only meaningful while split 1 is still running
        if (latest[1]! < 1999) maxGap = Math.max(maxGap, latest[0]! - latest[1]!);
        return r.ts;
      })
      .sink('out', out);
    const job = p.start();
    const status = await job.done;
    expect(status.outcome).toBe('finished');
    expect(seen.length).toBe(4000);
    // without alignment split 0 would end ~19 x 2000 ms ahead; with it the gap stays near maxDrift
    // plus what split 0 reads in one 10 ms update interval and one batch (slack for a loaded CI machine)
    expect(maxGap).toBeGreaterThan(0);
    expect(maxGap).toBeLessThan(4000);
  });
});

describe('metrics', () => {
  it('exports per-step counters, watermarks and checkpoint stats as Prometheus text and JSON', async () => {
    const out = memorySink<number>();
    const p = new Pipeline({ name: 'metrics', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
    p.source('n', generatorSource({ splits: 1, recordsPerSplit: 1000, generate: (_s, o) => o }), {
      watermarks: WatermarkStrategies.forMonotonousTimestamps<number>((n) => n),
    })
      .filter('even', (n) => n % 2 === 0)
      .sink('out', out);
    const job = p.start();
    await job.done;
    const status = job.status();
    const even = status.steps.find((s) => s.step === 'even')!;
    expect(even.recordsIn).toBe(1000);
    expect(even.recordsOut).toBe(500);
    expect(status.checkpoints.completed).toBeGreaterThanOrEqual(1);
    const text = await job.prometheus();
    expect(text).toMatch(/weir_step_records_in_total\{[^}]*step="even"[^}]*\} 1000/);
    expect(text).toMatch(/weir_step_records_out_total\{[^}]*step="even"[^}]*\} 500/);
    expect(text).toMatch(/weir_checkpoints_total\{[^}]*result="completed"[^}]*\} [1-9]/);
  });
});
