/** Writing Arrow data to Parquet bytes or files. */

import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import * as arrow from 'apache-arrow';
import { selectParquetEngine } from './engines.js';
import type { ParquetEngineName, ParquetWriteOptions } from './types.js';
import { validateOptions } from '@weir/core';
import { parquetOptionsSchema } from '../options/schemas.js';

/** Options of {@link toParquet} / {@link writeParquetFile}. */
export interface ParquetOptions extends ParquetWriteOptions {
  /** Engine by name; default {@link DEFAULT_PARQUET_ENGINE}. */
  engine?: ParquetEngineName;
}

/** Input: a table or record batches of one schema. */
export type ArrowInput = arrow.Table | arrow.RecordBatch | readonly arrow.RecordBatch[];

function asTable(input: ArrowInput): arrow.Table {
  if (input instanceof arrow.Table) return input;
  const batches = input instanceof arrow.RecordBatch ? [input] : [...input];
  if (batches.length === 0) throw new Error('no record batches to write');
  return new arrow.Table(batches);
}

/** Encode Arrow data as the bytes of one Parquet file. */
export async function toParquet(input: ArrowInput, options: ParquetOptions = {}): Promise<Uint8Array> {
  validateOptions(parquetOptionsSchema, options, 'Parquet options');
  const engine = selectParquetEngine(options.engine, options.compression);
  return engine.encode(asTable(input), options);
}

/** Write one Parquet file atomically (temporary file, then rename); returns its size in bytes. */
export async function writeParquetFile(path: string, input: ArrowInput, options: ParquetOptions = {}): Promise<number> {
  const bytes = await toParquet(input, options);
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return bytes.length;
}
