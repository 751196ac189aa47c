/** parquetjs-lite (pure JS, row by row): the reference engine and speed baseline. */

import { Writable } from 'node:stream';
import * as arrow from 'apache-arrow';
import parquet from 'parquetjs-lite';
import { PARQUET_LOGICAL_TYPES } from 'parquetjs-lite/lib/types.js';
import { columnValues } from '../arrow-to-js.js';
import { resolvedOptions, type ParquetEngine, type ParquetWriteOptions } from '../types.js';

// parquetjs-lite converts INT64/UINT_64 values with parseInt (exact only to 2^53). Let bigints
// through exactly (uint64 as its two's-complement bit pattern); other inputs keep the old path.
for (const [name, toSigned] of [['INT64', (v: bigint) => v], ['UINT_64', (v: bigint) => BigInt.asIntN(64, v)]] as const) {
  const def = PARQUET_LOGICAL_TYPES[name]!;
  const original = def.toPrimitive;
  if (!(original as { weirExact?: boolean }).weirExact) {
    def.toPrimitive = Object.assign((v: unknown) => (typeof v === 'bigint' ? toSigned(v) : original(v)), { weirExact: true });
  }
}

type FieldSpec = Record<string, unknown>;
type RowConverter = (v: unknown) => unknown;

/** The parquetjs-lite engine: nested struct/list/map, snappy/gzip, statistics; no zstd; slow. */
export const parquetjsLiteEngine: ParquetEngine = {
  name: 'parquetjs-lite',
  compressions: ['snappy', 'gzip', 'none'],
  async encode(table: arrow.Table, options?: ParquetWriteOptions): Promise<Uint8Array> {
    const o = resolvedOptions(this, options);
    const compression = o.compression === 'none' ? 'UNCOMPRESSED' : o.compression.toUpperCase();
    const fields = table.schema.fields;
    const specs: Record<string, FieldSpec> = {};
    const converters: RowConverter[] = [];
    for (const f of fields) {
      const { spec, convert } = specOf(f.type, f.name, compression, o.statistics);
      specs[f.name] = { ...spec, optional: true };
      converters.push(convert);
    }
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const writer = await parquet.ParquetWriter.openStream(new parquet.ParquetSchema(specs), sink, { useDataPageV2: false });
    writer.setRowGroupSize(o.rowGroupSize);
    // appendRow is async only when it flushes a full row group: await just those calls, so there is
    // one await per row group, not per row (other calls have finished their work when they return)
    let failure: unknown;
    const onError = (e: unknown) => void (failure ??= e);
    let inGroup = 0;
    for (const batch of table.batches) {
      const columns = fields.map((_f, i) => columnValues(batch.data.children[i]!));
      for (let r = 0; r < batch.numRows; r++) {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < fields.length; c++) {
          const v = columns[c]![r];
          if (v != null) row[fields[c]!.name] = converters[c]!(v);
        }
        const appended = writer.appendRow(row);
        if (++inGroup === o.rowGroupSize) {
          inGroup = 0;
          await appended;
        } else appended.then(undefined, onError);
        if (failure !== undefined) throw failure;
      }
    }
    await Promise.resolve(); // let the last un-awaited rejections land
    if (failure !== undefined) throw failure;
    await writer.close();
    return new Uint8Array(Buffer.concat(chunks));
  },
};

function specOf(type: arrow.DataType, name: string, compression: string, statistics: boolean): { spec: FieldSpec; convert: RowConverter } {
  const leaf = (t: string, convert: RowConverter = (v) => v) => ({ spec: { type: t, compression, statistics }, convert });
  if (arrow.DataType.isStruct(type)) {
    const fields: Record<string, FieldSpec> = {};
    const children = type.children.map((c) => {
      const s = specOf(c.type, c.name, compression, statistics);
      fields[c.name] = { ...s.spec, optional: true };
      return [c.name, s.convert] as const;
    });
    return {
      spec: { fields },
      convert: (v) => {
        const m = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [n, conv] of children) if (m[n] != null) out[n] = conv(m[n]);
        return out;
      },
    };
  }
  if (arrow.DataType.isList(type)) {
    const item = specOf(type.children[0]!.type, 'element', compression, statistics);
    return {
      spec: { type: 'LIST', fields: { list: { repeated: true, fields: { element: { ...item.spec, optional: true } } } } },
      convert: (v) => ({ list: (v as unknown[]).map((e) => (e == null ? {} : { element: item.convert(e) })) }),
    };
  }
  if (arrow.DataType.isMap(type)) {
    const [k, val] = type.children[0]!.type.children as [arrow.Field, arrow.Field];
    const key = specOf(k.type, 'key', compression, statistics);
    const value = specOf(val.type, 'value', compression, statistics);
    return {
      spec: { type: 'MAP', fields: { key_value: { repeated: true, fields: { key: key.spec, value: { ...value.spec, optional: true } } } } },
      convert: (v) => ({
        key_value: [...(v as Map<unknown, unknown>)].map(([kk, vv]) => (vv == null ? { key: key.convert(kk) } : { key: key.convert(kk), value: value.convert(vv) })),
      }),
    };
  }
  if (arrow.DataType.isTimestamp(type)) {
    if (type.unit === arrow.TimeUnit.MILLISECOND) return leaf('TIMESTAMP_MILLIS', (v) => Number(v as bigint));
    if (type.unit === arrow.TimeUnit.MICROSECOND) return leaf('TIMESTAMP_MICROS');
  }
  if (arrow.DataType.isInt(type)) {
    if (type.bitWidth === 64) // uint64 min/max would compare the signed bit patterns: no statistics for those columns
      return type.isSigned ? leaf('INT64') : { spec: { type: 'UINT_64', compression, statistics: false }, convert: (v) => v };
    return leaf(type.isSigned ? 'INT32' : 'UINT_32');
  }
  if (arrow.DataType.isFloat(type)) return leaf(type.precision === arrow.Precision.DOUBLE ? 'DOUBLE' : 'FLOAT');
  if (arrow.DataType.isBool(type)) return leaf('BOOLEAN');
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isDictionary(type)) return leaf('UTF8');
  if (arrow.DataType.isBinary(type)) return leaf('BYTE_ARRAY', (v) => Buffer.from(v as Uint8Array));
  throw new Error(`parquetjs-lite engine: column '${name}' has unsupported Arrow type ${String(type)}`);
}
