/** Decoded records -> Arrow tables for the Parquet sink: one builder per (stream, schema version), made once. */

import * as arrow from 'apache-arrow';
import { ArrowBatchBuilder, type DecodedRecord, type SchemaSnapshot } from '@weir/formats';

/** `toArrow` for `parquetFormat`: every batch of one bucket belongs to one stream. */
export function arrowTablesOf(snapshot: () => SchemaSnapshot): (records: readonly DecodedRecord[]) => arrow.Table {
  const builders = new Map<string, ArrowBatchBuilder>();
  return (records) => {
    const current = snapshot();
    const stream = records[0]!.stream;
    const key = `${stream}@${current.version}`;
    let builder = builders.get(key);
    if (builder === undefined) builders.set(key, (builder = new ArrowBatchBuilder(current.typeOf(stream)!, { timestampUnit: 'ms' })));
    return new arrow.Table(builder.build(records.map((r) => r.value)));
  };
}
