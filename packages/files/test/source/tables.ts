/** Writes nested Parquet tables with the real file sink (the layout the file source reads). */

import * as arrow from 'apache-arrow';
import { Pipeline, WatermarkStrategies, collectionSource, silentLogger } from '@weir/core';
import { bucketedFileSink, successFilePolicy, type PartitionCommitPolicy } from '../../src/index.js';
import { parquetFormat } from '../../src/parquet.js';

export interface Ev {
  stream: string;
  id: number;
  user: string;
  device: { os: string; model: string };
  tags: string[];
  ts: number;
}

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 2, 1);

const Utf8 = new arrow.Utf8();
export const evToArrow = (rs: readonly Ev[]): arrow.Table =>
  new arrow.Table({
    id: arrow.vectorFromArray(rs.map((r) => r.id), new arrow.Int32()),
    user: arrow.vectorFromArray(rs.map((r) => r.user), Utf8),
    device: arrow.vectorFromArray(rs.map((r) => r.device), new arrow.Struct([new arrow.Field('os', Utf8, true), new arrow.Field('model', Utf8, true)])),
    tags: arrow.vectorFromArray(rs.map((r) => r.tags), new arrow.List(new arrow.Field('item', Utf8, true))),
    ts: arrow.vectorFromArray(rs.map((r) => r.ts), new arrow.TimestampMillisecond()),
  });

/** `n` events per hour of each stream in `hours` (a stream can skip hours: empty partitions). */
export function events(streams: Record<string, number[]>, perHour: number): Ev[] {
  const out: Ev[] = [];
  let id = 0;
  for (const h of [...new Set(Object.values(streams).flat())].sort((a, b) => a - b))
    for (let i = 0; i < perHour; i++)
      for (const [stream, hours] of Object.entries(streams)) {
        if (!hours.includes(h)) continue;
        id++;
        out.push({ stream, id, user: `u${id % 7}`, device: { os: id % 2 ? 'android' : 'ios', model: `m${id % 3}` }, tags: id % 3 === 0 ? [] : [`t${id % 5}`], ts: T0 + h * HOUR + Math.floor((i * HOUR) / perHour) });
      }
  return out;
}

/** Run the file sink over `evs` (several checkpoints: several parts per partition, small row groups). */
export async function writeTables(dir: string, evs: Ev[], streams: string[], policies: PartitionCommitPolicy[] = [successFilePolicy()], rowGroupSize = 64, run = 'write'): Promise<void> {
  const pipeline = new Pipeline({ name: 'write-tables', checkpoints: { dir: `${dir}/${run}-checkpoints`, intervalMs: 30 }, logger: silentLogger });
  pipeline
    .source('events', collectionSource(evs, { batchSize: 97 }), { watermarks: WatermarkStrategies.forMonotonousTimestamps<Ev>((e) => e.ts) })
    .asyncMap('slow', async (e: Ev) => {
      if (e.id % 200 === 0) await new Promise((r) => setTimeout(r, 40));
      return e;
    })
    .sink(
      'tables',
      bucketedFileSink<Ev>({
        storage: `${dir}/tables`,
        streamOf: (e) => e.stream,
        format: parquetFormat({ toArrow: evToArrow, rowGroupSize }),
        merge: { mode: 'off' },
        readiness: { delayMs: 0, streams, policies },
      }),
    );
  const result = await pipeline.run();
  if (result.outcome !== 'finished') throw new Error(`writing tables: ${result.outcome}`);
}
