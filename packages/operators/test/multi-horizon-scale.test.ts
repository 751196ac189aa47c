import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pipeline, WatermarkStrategies, classicLevelStateBackend, generatorSource, silentLogger, type Sink } from '@weir/core';
import { expect, it } from 'vitest';
import { multiHorizon, type MultiHorizonResult } from '../src/index.js';
import { featuresOf, type HorizonSpec } from './support/horizon-reference.js';
import { tempDirs } from './support/temp-dirs.js';

// 100k keys in CI (10-50 s on 2 shared cores, by load); WEIR_HORIZON_KEYS=1000000 for the full-size run
const KEYS = Number(process.env.WEIR_HORIZON_KEYS ?? 100_000);
const ROUNDS = 2;
const CACHE = 20_000;
const MINUTE = 60_000;
const spec: HorizonSpec = { slice: MINUTE, horizons: [MINUTE, 10 * MINUTE, 30 * MINUTE], numberOf: (e) => e.id % 97, distinctOf: (e) => `d${e.id % 5}` };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Record o: key o % KEYS in round floor(o / KEYS), at event time o ms (monotonous). */
const eventAt = (o: number) => ({ key: `k${o % KEYS}`, ts: o, id: o % KEYS });

interface ScaleStats {
  checked: number;
  mismatches: string[];
  peakHeap: number;
  /** Heap after a full GC when the first round had reached 1/8, 2/8, ... of the keys: [keys, bytes]. */
  samples: Array<[number, number]>;
}

/** A sink that checks every result against brute force as it arrives and keeps nothing. */
function verifyingSink(stats: ScaleStats): Sink<MultiHorizonResult, never, null> {
  return {
    async createWriter() {
      return {
        write(results) {
          for (const r of results) {
            const k = Number(r.key.slice(1));
            const rounds = [...Array(ROUNDS).keys()].map((round) => eventAt(round * KEYS + k)).filter((e) => e.ts < r.end);
            const expected = featuresOf(rounds, spec, r.end);
            if (JSON.stringify(expected) !== JSON.stringify(r.horizons) && stats.mismatches.length < 5) stats.mismatches.push(`${r.key}@${r.end}: ${JSON.stringify(r.horizons)} != ${JSON.stringify(expected)}`);
            stats.checked++;
          }
          // the first round adds a new key per record: sample the heap as the number of keys grows
          const step = KEYS / 8;
          if (stats.checked % step < results.length || stats.checked % 200_000 < results.length) {
            gc();
            gc(); // a second full GC settles what the first one's finalizers freed
            const heap = process.memoryUsage().heapUsed;
            stats.peakHeap = Math.max(stats.peakHeap, heap);
            if (stats.checked <= KEYS && stats.checked % step < results.length) stats.samples.push([stats.checked, heap]);
          }
        },
        async prepareCommit() {
          return [];
        },
        async close() {},
      };
    },
    async createCommitter() {
      return { async commit() {} };
    },
  };
}

/** Least-squares slope of heap bytes over keys (one noisy sample moves it less than a two-point difference). */
function slope(points: Array<[number, number]>): number {
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

it(`multi-horizon over ${KEYS} keys on classic-level equals brute force, with heap bounded by the cache, not the keys`, async () => {
  const dir = await tempDirs.make();
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const stats: ScaleStats = { checked: 0, mismatches: [], peakHeap: baseline, samples: [] };
  const p = new Pipeline({ name: 'horizons-scale', checkpoints: { dir: `${dir}/cp`, intervalMs: 0 }, workDir: `${dir}/work`, stateBackend: classicLevelStateBackend({ cacheSize: CACHE }), logger: silentLogger });
  p.source('events', generatorSource({ recordsPerSplit: KEYS * ROUNDS, batchSize: 2_000, generate: (_s, o) => eventAt(o) }), {
    watermarks: WatermarkStrategies.forMonotonousTimestamps<{ ts: number }>((e) => e.ts),
  })
    .keyBy((e) => e.key)
    .process('features', multiHorizon({ sliceMs: spec.slice, horizonsMs: spec.horizons, numberOf: spec.numberOf, distinctOf: spec.distinctOf }))
    .sink('verify', verifyingSink(stats));
  const t0 = performance.now();
  await p.run();
  const seconds = (performance.now() - t0) / 1000;
  const growthMb = (stats.peakHeap - baseline) / 2 ** 20;
  // slope of the heap over the keys in the second half of the first round (the cache of 20k keys is
  // full long before): a heap that held every key grows by hundreds of bytes per key (each key's
  // slices map, entries and strings; 458 bytes per key measured with the heap backend)
  const grown = stats.samples.filter(([keys]) => keys >= KEYS / 2);
  const bytesPerKey = slope(grown);
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  console.log(
    `${KEYS} keys, ${stats.checked} results in ${seconds.toFixed(1)} s (${Math.round(stats.checked / seconds)} updates/s), heap growth peak ${growthMb.toFixed(0)} MB; ` +
      `heap by keys: ${stats.samples.map(([k, h]) => `${k}: ${mb(h)} MB`).join(', ')}; ${bytesPerKey.toFixed(1)} bytes per added key`,
  );
  expect(stats.mismatches).toEqual([]);
  expect(stats.checked).toBe(KEYS * ROUNDS);
  expect(grown.length).toBeGreaterThanOrEqual(3);
  expect(bytesPerKey).toBeLessThan(128);
  // the cache holds 20k keys per state: a bounded amount whatever the number of keys
  expect(growthMb).toBeLessThan(150);
}, 600_000 * Math.max(1, KEYS / 100_000));
