import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { Pipeline, WatermarkStrategies, collectionSource, iterableSource, memorySink, silentLogger } from '@weir/core';
import { asyncLookup, joinInputs, temporalJoin } from '@weir/operators';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, successFilePolicy } from '../../src/index.js';
import { dimensionChangelog, openDimensionTable, type DimensionChange, type DimensionTable } from '../../src/parquet.js';
import { parquetFormat } from '../../src/parquet.js';
import { tempDir } from '../helpers.js';

const at = (h: number, m = 0, s = 0, ms = 0) => Date.UTC(2024, 4, 1, h, m, s, ms);

/** One row of the hourly dump of the products dimension. */
interface Product {
  id: string;
  tier: string;
  ts: number;
}
// hour 10: three products; hour 11: p1 upgraded, p3 gone; hour 12: p3 back
const DUMPS: Record<number, Array<[string, string]>> = {
  10: [['p1', 'gold'], ['p2', 'silver'], ['p3', 'bronze']],
  11: [['p1', 'platinum'], ['p2', 'silver']],
  12: [['p1', 'gold'], ['p2', 'silver'], ['p3', 'new']],
};
interface Click {
  product: string;
  ts: number;
}
const CLICKS: Click[] = [
  { product: 'p1', ts: at(10, 5) },
  { product: 'p3', ts: at(10, 30) },
  { product: 'p1', ts: at(10, 59, 59, 999) },
  { product: 'p3', ts: at(10, 59, 59, 999) },
  { product: 'p1', ts: at(11) },
  { product: 'p3', ts: at(11) },
  { product: 'p2', ts: at(11, 30) },
  { product: 'p3', ts: at(12, 10) },
  { product: 'p1', ts: at(12, 59) },
];
const EXPECTED = ['p1@10:05=gold', 'p3@10:30=bronze', 'p1@10:59=gold', 'p3@10:59=bronze', 'p1@11:00=platinum', 'p3@11:00=none', 'p2@11:30=silver', 'p3@12:10=new', 'p1@12:59=gold'];
const label = (c: Click, tier: string | undefined) => `${c.product}@${new Date(c.ts).toISOString().slice(11, 16)}=${tier ?? 'none'}`;

/** Writes the dump of `hour` with `@weir/files` (Parquet parts, `_SUCCESS` when announced), as its own job. */
async function writeDump(root: string, hour: number): Promise<void> {
  const rows: Product[] = DUMPS[hour]!.map(([id, tier], i) => ({ id, tier, ts: at(hour, 0, i) }));
  const p = new Pipeline({ name: `dump-${hour}`, checkpoints: { dir: join(root, `chk-${hour}`), intervalMs: 10_000 }, logger: silentLogger });
  p.source('dump', collectionSource(rows), { watermarks: WatermarkStrategies.forMonotonousTimestamps<Product>((r) => r.ts) }).sink(
    `dump-${hour}`,
    bucketedFileSink<Product>({
      storage: join(root, 'tables'),
      streamOf: () => 'products',
      format: parquetFormat<Product>({ toArrow: (r) => arrow.tableFromArrays({ id: r.map((x) => x.id), tier: r.map((x) => x.tier), ts: Float64Array.from(r, (x) => x.ts) }) }),
      readiness: { policies: [successFilePolicy()] },
    }),
  );
  expect((await p.run()).outcome).toBe('finished');
}

/** Clicks enriched through `asyncLookup` over the dimension table. */
async function enrich(dim: DimensionTable<Product & Record<string, unknown>>, source: Parameters<Pipeline['source']>[1]): Promise<string[]> {
  const lookup = asyncLookup<Click, string, Product, string>({
    keyOf: (c) => dim.keyAt(c.product, c.ts),
    multiGet: dim.multiGet,
    combine: (c, p) => label(c, p?.tier),
    cache: { size: 1000, ttlMs: 60_000 },
    timeoutMs: 45_000, // generous: CI machines are loaded; the waits themselves are asserted below
  });
  const p = new Pipeline({ name: 'enrich', logger: silentLogger, restart: { kind: 'none' } }); // a failed check inside the source fails the test at once
  const out = memorySink<string>();
  p.source('clicks', source as ReturnType<typeof collectionSource<Click>>).asyncMap('lookup', lookup.fn, { concurrency: 4 }).sink('out', out);
  expect((await p.run()).outcome).toBe('finished');
  return out.committed;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('dimension snapshot table', () => {
  it('backfill: every partition already announced; 10:59 sees the 10:00 snapshot, 11:00 the 11:00 one', async () => {
    const root = await tempDir();
    for (const h of [10, 11, 12]) await writeDump(root, h);
    const dim = await openDimensionTable<Product & Record<string, unknown>>({ storage: join(root, 'tables'), table: 'products', keyOf: (r) => r.id, stateDir: join(root, 'dim'), pollMs: 20 });
    try {
      expect(await enrich(dim, collectionSource(CLICKS))).toEqual(EXPECTED);
      expect(dim.stats.waits).toBe(0);
      expect(dim.stats.rowsLoaded).toBeGreaterThanOrEqual(8);
      expect(dim.stats.current).toBe('dt=2024-05-01/hour=12');
      expect(dim.loadedSnapshots()).toEqual(['dt=2024-05-01/hour=11', 'dt=2024-05-01/hour=12']); // hour 10 retired
      // a late lookup reloads a retired snapshot
      expect((await dim.get('p3', at(10, 1)))?.tier).toBe('bronze');
    } finally {
      await dim.close();
    }
  });

  it('live: the next snapshot is built ahead when announced; a lookup waits for a snapshot not announced yet', async () => {
    const root = await tempDir();
    await writeDump(root, 10);
    const dim = await openDimensionTable<Product & Record<string, unknown>>({ storage: join(root, 'tables'), table: 'products', keyOf: (r) => r.id, stateDir: join(root, 'dim'), pollMs: 20, waitMs: 45_000 });
    let hour12Written = false;
    async function* live(): AsyncGenerator<Click> {
      yield CLICKS[0]!;
      yield CLICKS[1]!;
      await until(() => dim.stats.current === 'dt=2024-05-01/hour=10' && dim.stats.loads === 1, 'the 10:00 snapshot');
      await writeDump(root, 11); // hour 11 is announced while the job runs: built ahead
      await until(() => dim.stats.loads === 2, 'the 11:00 snapshot built ahead');
      expect(dim.stats.builtAhead).toBe(1);
      for (const c of CLICKS.slice(2, 7)) yield c;
      // hour 12 is announced only 300 ms after its first click arrived
      setTimeout(() => void writeDump(root, 12).then(() => (hour12Written = true)), 300);
      yield CLICKS[7]!;
      yield CLICKS[8]!;
    }
    try {
      expect(await enrich(dim, iterableSource(live(), { batchSize: 1 }))).toEqual(EXPECTED);
      expect(hour12Written).toBe(true);
      expect(dim.stats.waits).toBeGreaterThanOrEqual(1);
    } finally {
      await dim.close();
    }
  }, 120_000);

  it('a lookup fails clearly when its snapshot is never announced', async () => {
    const root = await tempDir();
    await writeDump(root, 10);
    const dim = await openDimensionTable({ storage: join(root, 'tables'), table: 'products', keyOf: (r) => String(r.id), stateDir: join(root, 'dim'), pollMs: 20, waitMs: 100 });
    try {
      await expect(dim.get('p1', at(13))).rejects.toThrow(/products\/dt=2024-05-01\/hour=13 not announced \(no _SUCCESS\) after 100 ms/);
      expect((await dim.get('p1', at(10, 20)))?.tier).toBe('gold');
    } finally {
      await dim.close();
    }
  });

  it('the snapshots as a changelog drive temporalJoin to the same answers', async () => {
    const root = await tempDir();
    for (const h of [10, 11, 12]) await writeDump(root, h);
    const changes = dimensionChangelog<Product & Record<string, unknown>>({ storage: join(root, 'tables'), table: 'products', keyOf: (r) => r.id, from: at(10), to: at(13) });
    const p = new Pipeline({ name: 'temporal', logger: silentLogger });
    const clicks = p.source('clicks', collectionSource(CLICKS), { watermarks: WatermarkStrategies.forMonotonousTimestamps<Click>((c) => c.ts) });
    const dims = p.source('products', iterableSource(changes), { watermarks: WatermarkStrategies.forMonotonousTimestamps<DimensionChange<Product & Record<string, unknown>>>((c) => c.ts) });
    const out = memorySink<string>();
    joinInputs('click-product', clicks, dims, (c) => c.product, (d) => d.key)
      .process('as-of', temporalJoin<Click, DimensionChange<Product & Record<string, unknown>>, string>({ join: (c, d) => label(c, d?.row?.tier), isDelete: (d) => d.row === undefined, outer: true }))
      .sink('out', out);
    expect((await p.run()).outcome).toBe('finished');
    expect([...out.committed].sort()).toEqual([...EXPECTED].sort());
  });
});

describe('dimension snapshot options', () => {
  it('are checked when called', async () => {
    await expect(openDimensionTable({ storage: '/tmp/x', table: 't', keyOf: (r: { id: string }) => r.id, stateDir: '/tmp/y', asof: 'end' } as never)).rejects.toThrow(/asOf/);
    await expect(openDimensionTable({ storage: '/tmp/x', table: 't', keyOf: (r: { id: string }) => r.id, stateDir: '/tmp/y', asOf: 'middle' } as never)).rejects.toThrow(/start.*end/);
    expect(() => dimensionChangelog({ storage: '/tmp/x', table: 't', keyOf: (r) => String(r.id), from: 0, to: Number.NaN })).toThrow(/to/);
  });
});
