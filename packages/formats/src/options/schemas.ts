/** Run-time schemas of the formats package's options, tied to their interfaces at compile time. */

import { z } from 'zod';
import { count, durationMs, fn, oneOf, schemaFor, strictObject, withMethods } from '@weir/core';
import type { ArrowMappingOptions } from '../arrow/field-plan.js';
import type { CompiledRules } from '../etl/rules.js';
import type { RulesFileWatchOptions } from '../etl/loader.js';
import type { ParquetOptions } from '../parquet/write.js';
import type { SchemaRegistryOptions, WatchOptions } from '../registry/registry.js';

/** An optional zod field of type `T`. Named in the declaration: an inferred zod enum type prints its members in compile order, which made the API report differ between builds. */
type OptionalField<T> = z.ZodOptional<z.ZodType<NonNullable<T>, NonNullable<T>>>;

/** Fields of {@link ParquetOptions}, for options that embed them (e.g. `@weir/files`' `parquetFormat`). */
export const parquetOptionsShape: { [K in keyof Required<ParquetOptions>]: OptionalField<ParquetOptions[K]> } = {
  compression: oneOf(['zstd', 'snappy', 'gzip', 'none']).optional(),
  statistics: z.boolean().optional(),
  rowGroupSize: count(1).optional(),
  engine: oneOf(['parquet-wasm', 'hyparquet-writer', 'parquetjs-lite']).optional(),
};

export const parquetOptionsSchema = schemaFor<ParquetOptions>()(strictObject(parquetOptionsShape));

export const arrowMappingOptionsSchema = schemaFor<ArrowMappingOptions>()(
  strictObject({ timestampUnit: oneOf(['ms', 'us']).optional(), enums: oneOf(['string', 'dictionary']).optional() }),
);

export const schemaRegistryOptionsSchema = schemaFor<SchemaRegistryOptions>()(
  strictObject({
    dir: z.string().min(1).optional(),
    urls: z.array(z.url({ protocol: /^https?$/ })).optional(),
    streams: z.record(z.string(), z.string().min(1)).optional(),
    httpTimeoutMs: durationMs().optional(),
  }),
);

const onError = fn<(error: Error) => void>().optional();

export const watchOptionsSchema = schemaFor<WatchOptions>()(strictObject({ intervalMs: durationMs().optional(), onError }));

export const rulesFileWatchOptionsSchema = schemaFor<RulesFileWatchOptions>()(
  strictObject({
    intervalMs: durationMs().optional(),
    initial: withMethods<CompiledRules>([], 'compiled rules').optional(),
    onError,
    onProposed: fn<(rules: CompiledRules) => void>().optional(),
  }),
);
