/**
 * Parquet parts through `@weir/formats` (its Parquet engines write the files). Records are
 * mapped to Arrow per batch by `toArrow` (one schema per sink), buffered until the part rolls,
 * then encoded as one Parquet file; merging reads the inputs (parquet-wasm) and re-encodes them
 * as one file with the same engine.
 */

import * as arrow from 'apache-arrow';
import { fn, schemaFor, strictObject, validateOptions } from '@weir/core';
import { parquetOptionsShape, toParquet, type ParquetOptions } from '@weir/formats';
import { readParquet } from 'parquet-wasm';
import type { FileStorage } from '../storage/types.js';
import type { BulkFormat, BulkWriter } from './types.js';

export interface ParquetFormatOptions<T> extends ParquetOptions {
  /** Map a batch of records to Arrow; every batch must have the same schema. */
  toArrow: (records: readonly T[]) => arrow.Table;
}

const optionsSchema = schemaFor<ParquetFormatOptions<any>>()(strictObject({ ...parquetOptionsShape, toArrow: fn<(records: readonly any[]) => arrow.Table>() }));

/** The Parquet {@link BulkFormat}; parts are held in memory (as Arrow) until they roll. */
export function parquetFormat<T>(options: ParquetFormatOptions<T>): BulkFormat<T> {
  validateOptions(optionsSchema, options, 'parquetFormat options');
  const { toArrow, ...parquet } = options;
  return {
    extension: '.parquet',
    open: (storage, path) => new ParquetPartWriter(storage, path, toArrow, parquet),
    async merge(storage, inputs, output) {
      const tables: arrow.Table[] = [];
      for (const input of inputs) tables.push(arrow.tableFromIPC(readParquet(await storage.readFile(input)).intoIPCStream()));
      const merged = tables[0]!.concat(...tables.slice(1));
      await storage.writeFile(output, await toParquet(merged, parquet));
    },
  };
}

class ParquetPartWriter<T> implements BulkWriter<T> {
  bytes = 0;
  private tables: arrow.Table[] = [];

  constructor(
    private readonly storage: FileStorage,
    private readonly path: string,
    private readonly toArrow: (records: readonly T[]) => arrow.Table,
    private readonly parquet: ParquetOptions,
  ) {}

  write(records: readonly T[]): void {
    const t = this.toArrow(records);
    this.tables.push(t);
    for (const d of t.data) this.bytes += d.byteLength;
  }

  async finish(): Promise<void> {
    const table = this.tables[0]!.concat(...this.tables.slice(1));
    this.tables = [];
    await this.storage.writeFile(this.path, await toParquet(table, this.parquet));
  }

  async abort(): Promise<void> {
    this.tables = [];
  }
}
