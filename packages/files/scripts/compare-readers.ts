/**
 * Which Parquet reader for the file source: hyparquet (row groups by byte ranges, rows as
 * objects) vs parquet-wasm (whole file or one row group -> Arrow IPC -> apache-arrow rows), on
 * nested Parquet written the way the sink writes it (parquet-wasm, zstd).
 * `node --conditions=weir-source --import tsx packages/files/scripts/compare-readers.ts` (env ROWS)
 */

import * as arrow from 'apache-arrow';
import { toParquet } from '@weir/formats';
import { parquetMetadataAsync, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ParquetFile, readParquet } from 'parquet-wasm';

const ROWS = Number(process.env.ROWS ?? 200_000);
const rows = Array.from({ length: ROWS }, (_, i) => ({
  id: i,
  user: `user-${i % 97}`,
  device: { os: i % 2 ? 'android' : 'ios', model: `m${i % 5}` },
  tags: i % 3 === 1 ? [] : [`t${i % 7}`, `t${i % 11}`],
  total: (i % 1000) / 10,
  ts: 1_700_000_000_000 + i * 1000,
}));
const Utf8 = new arrow.Utf8();
const col = <T extends arrow.DataType>(type: T, pick: (r: (typeof rows)[number]) => unknown) => arrow.vectorFromArray(rows.map(pick), type);
const table = new arrow.Table({
  id: col(new arrow.Int64(), (r) => BigInt(r.id)),
  user: col(Utf8, (r) => r.user),
  device: col(new arrow.Struct([new arrow.Field('os', Utf8, true), new arrow.Field('model', Utf8, true)]), (r) => r.device),
  tags: col(new arrow.List(new arrow.Field('item', Utf8, true)), (r) => r.tags),
  total: col(new arrow.Float64(), (r) => r.total),
  ts: col(new arrow.TimestampMillisecond(), (r) => r.ts),
});
const bytes = await toParquet(table, { compression: 'zstd', rowGroupSize: 20_000 });
console.log(`${ROWS} rows, ${(bytes.length / 1e6).toFixed(1)} MB, schema ${table.schema.fields.map((f) => `${f.name}:${f.type}`).join(', ')}`);

const asyncBuffer = { byteLength: bytes.byteLength, slice: async (s: number, e?: number) => bytes.slice(s, e).buffer as ArrayBuffer };

async function hyparquetRows(): Promise<number> {
  const meta = await parquetMetadataAsync(asyncBuffer);
  let n = 0;
  let start = 0;
  for (const rg of meta.row_groups) {
    const end = start + Number(rg.num_rows);
    await parquetRead({ file: asyncBuffer, metadata: meta, compressors, rowStart: start, rowEnd: end, rowFormat: 'object', onComplete: (r: unknown[]) => (n += r.length) });
    start = end;
  }
  return n;
}

function wasmWholeRows(): number {
  const t = arrow.tableFromIPC(readParquet(bytes).intoIPCStream());
  let n = 0;
  for (const row of t) if (row.toJSON()) n++;
  return n;
}

async function wasmRowGroupRows(): Promise<number> {
  const file = await ParquetFile.fromFile(new Blob([bytes]));
  const groups = file.metadata().numRowGroups();
  let n = 0;
  for (let g = 0; g < groups; g++) {
    const t = arrow.tableFromIPC((await file.read({ rowGroups: [g] })).intoIPCStream());
    for (const row of t) if (row.toJSON()) n++;
  }
  file.free();
  return n;
}

async function time(name: string, f: () => Promise<number> | number): Promise<void> {
  await f(); // warm
  const t0 = performance.now();
  const n = await f();
  const s = (performance.now() - t0) / 1000;
  console.log(`${name.padEnd(40)} ${Math.round(n / s).toLocaleString('en')} rows/s`);
}

await time('hyparquet, per row group, objects', hyparquetRows);
await time('parquet-wasm whole file -> arrow rows', wasmWholeRows);
await time('parquet-wasm per row group -> arrow rows', wasmRowGroupRows);

await parquetRead({ file: asyncBuffer, compressors, rowStart: 0, rowEnd: 2, rowFormat: 'object', onComplete: (r: unknown[]) => console.log('hyparquet rows:', r) });
await time('hyparquet, projected (user, ts)', async () => {
  let n = 0;
  await parquetRead({ file: asyncBuffer, compressors, columns: ['user', 'ts'], rowFormat: 'object', onComplete: (r: unknown[]) => (n += r.length) });
  return n;
});
