/** Engine registry and selection. */

import { hyparquetEngine } from './engines/hyparquet.js';
import { parquetjsLiteEngine } from './engines/parquetjs-lite.js';
import { parquetWasmEngine } from './engines/parquet-wasm.js';
import type { ParquetCompression, ParquetEngine, ParquetEngineName } from './types.js';

/** Every built-in engine by name. */
export const PARQUET_ENGINES: Readonly<Record<ParquetEngineName, ParquetEngine>> = {
  'parquet-wasm': parquetWasmEngine,
  'hyparquet-writer': hyparquetEngine,
  'parquetjs-lite': parquetjsLiteEngine,
};

/**
 * The default engine: the fastest one that writes every mapped type (nested struct/list/map,
 * int64, UTC timestamps) with zstd and statistics, as measured by `bench/formats.ts`.
 */
export const DEFAULT_PARQUET_ENGINE: ParquetEngineName = 'parquet-wasm';

/**
 * Pick an engine: by name, or the default; with `compression`, the default is skipped in favour
 * of the first engine (in speed order) that supports it. Throws for an unknown name or an
 * engine that cannot write the requested compression.
 */
export function selectParquetEngine(name?: ParquetEngineName, compression?: ParquetCompression): ParquetEngine {
  if (name !== undefined) {
    const engine = PARQUET_ENGINES[name];
    if (!engine) throw new Error(`unknown Parquet engine '${String(name)}'; known: ${Object.keys(PARQUET_ENGINES).join(', ')}`);
    if (compression && !engine.compressions.includes(compression)) throw new Error(`${name} cannot write ${compression} (supports ${engine.compressions.join(', ')})`);
    return engine;
  }
  const order: ParquetEngineName[] = [DEFAULT_PARQUET_ENGINE, ...(Object.keys(PARQUET_ENGINES) as ParquetEngineName[]).filter((n) => n !== DEFAULT_PARQUET_ENGINE)];
  const engine = order.map((n) => PARQUET_ENGINES[n]).find((e) => !compression || e.compressions.includes(compression));
  if (!engine) throw new Error(`no Parquet engine writes ${compression}`);
  return engine;
}
