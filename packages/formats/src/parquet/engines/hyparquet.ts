/** hyparquet-writer (pure JS): column arrays in, Parquet out; nested types via an explicit schema. */

import { gzipSync } from 'node:zlib';
import * as zstd from '@bokuweb/zstd-wasm';
import * as arrow from 'apache-arrow';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import '../../envelope/codecs.js'; // initialises zstd (wasm)
import { columnValues } from '../arrow-to-js.js';
import { resolvedOptions, type ParquetEngine, type ParquetWriteOptions } from '../types.js';

type SchemaElement = Record<string, unknown> & { name: string };

const CODEC = { zstd: 'ZSTD', snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' } as const;
// snappy is built in; zstd (wasm, initialised by the envelope codecs module) and gzip are plugged in
const COMPRESSORS = { ZSTD: (b: Uint8Array) => zstd.compress(b, 3), GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) };

/** The hyparquet-writer engine: every type this package maps to, zstd/snappy/gzip, statistics. */
export const hyparquetEngine: ParquetEngine = {
  name: 'hyparquet-writer',
  compressions: ['zstd', 'snappy', 'gzip', 'none'],
  async encode(table: arrow.Table, options?: ParquetWriteOptions): Promise<Uint8Array> {
    const o = resolvedOptions(this, options);
    const schema: SchemaElement[] = [{ name: 'root', num_children: table.schema.fields.length }];
    for (const field of table.schema.fields) schema.push(...elementsOf(field, field.nullable ? 'OPTIONAL' : 'REQUIRED'));
    const columnData = table.schema.fields.map((field, i) => ({ name: field.name, data: concatColumn(table, i) as any }));
    const writer = new ByteWriter();
    await parquetWrite({
      writer,
      columnData,
      schema: schema as any,
      codec: CODEC[o.compression],
      compressors: COMPRESSORS,
      statistics: o.statistics,
      rowGroupSize: o.rowGroupSize,
      createdBy: 'weir formats (hyparquet-writer)',
    });
    return new Uint8Array(writer.getBuffer());
  },
};

function concatColumn(table: arrow.Table, index: number): unknown[] | ArrayLike<number> {
  const chunks = table.batches.map((b) => columnValues(b.data.children[index]!));
  if (chunks.length === 1) return chunks[0]!;
  const out: unknown[] = [];
  for (const c of chunks) for (let i = 0; i < c.length; i++) out.push(c[i]);
  return out;
}

function elementsOf(field: arrow.Field, repetition: string): SchemaElement[] {
  const type = field.type;
  const name = field.name;
  if (arrow.DataType.isStruct(type)) {
    return [{ name, repetition_type: repetition, num_children: type.children.length }, ...type.children.flatMap((c) => elementsOf(c, 'OPTIONAL'))];
  }
  if (arrow.DataType.isList(type)) {
    return [
      { name, repetition_type: repetition, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...elementsOf(new arrow.Field('element', type.children[0]!.type, true), 'OPTIONAL'),
    ];
  }
  if (arrow.DataType.isMap(type)) {
    const [key, value] = type.children[0]!.type.children as [arrow.Field, arrow.Field];
    return [
      { name, repetition_type: repetition, converted_type: 'MAP', logical_type: { type: 'MAP' }, num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      ...elementsOf(new arrow.Field('key', key.type, false), 'REQUIRED'),
      ...elementsOf(new arrow.Field('value', value.type, true), 'OPTIONAL'),
    ];
  }
  return [{ name, repetition_type: repetition, ...primitiveOf(type, name) }];
}

function primitiveOf(type: arrow.DataType, name: string): Record<string, unknown> {
  if (arrow.DataType.isTimestamp(type)) {
    const unit = type.unit === arrow.TimeUnit.MILLISECOND ? 'MILLIS' : type.unit === arrow.TimeUnit.MICROSECOND ? 'MICROS' : 'NANOS';
    return { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: type.timezone != null, unit } };
  }
  if (arrow.DataType.isInt(type)) {
    const physical = type.bitWidth === 64 ? 'INT64' : 'INT32';
    if (type.isSigned && type.bitWidth >= 32) return { type: physical };
    // converted types only: hyparquet-writer's INTEGER logical type does not read back in DuckDB
    return { type: physical, converted_type: `${type.isSigned ? 'INT' : 'UINT'}_${type.bitWidth}` };
  }
  if (arrow.DataType.isFloat(type)) return { type: type.precision === arrow.Precision.DOUBLE ? 'DOUBLE' : 'FLOAT' };
  if (arrow.DataType.isBool(type)) return { type: 'BOOLEAN' };
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isDictionary(type)) return { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  if (arrow.DataType.isBinary(type)) return { type: 'BYTE_ARRAY' };
  throw new Error(`hyparquet-writer engine: column '${name}' has unsupported Arrow type ${String(type)}`);
}
