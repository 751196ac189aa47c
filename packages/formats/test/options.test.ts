import { OptionsError } from '@weir/core';
import * as arrow from 'apache-arrow';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ArrowBatchBuilder, SchemaRegistry, arrowSchemaFor, toParquet, watchRulesFile, type ArrowMappingOptions, type ParquetOptions } from '../src/index.js';

const type = protobuf.parse('syntax = "proto3"; message M { string a = 1; }').root.lookupType('M');
const table = arrow.tableFromArrays({ a: Int32Array.from([1, 2]) });

describe('formats options', () => {
  it('toParquet rejects misspelt compressions and engines, and unknown keys', async () => {
    await expect(toParquet(table, { compression: 'zstandard' } as unknown as ParquetOptions)).rejects.toThrow(OptionsError);
    await expect(toParquet(table, { compression: 'zstandard' } as unknown as ParquetOptions)).rejects.toThrow("compression: invalid value 'zstandard'");
    await expect(toParquet(table, { engine: 'parquet_wasm' } as unknown as ParquetOptions)).rejects.toThrow("did you mean 'parquet-wasm'?");
    await expect(toParquet(table, { rowGroupsize: 10 } as unknown as ParquetOptions)).rejects.toThrow("unknown key 'rowGroupsize' (did you mean 'rowGroupSize'?)");
    expect((await toParquet(table, { compression: 'snappy', rowGroupSize: 1 })).length).toBeGreaterThan(0);
  });

  it('Arrow mapping options are checked by the builder and the schema function', () => {
    expect(() => new ArrowBatchBuilder(type, { enums: 'dictonary' } as unknown as ArrowMappingOptions)).toThrow("enums: invalid value 'dictonary'; expected 'string' | 'dictionary' (did you mean 'dictionary'?)");
    expect(() => arrowSchemaFor(type, { timestampUnit: 'ns' } as unknown as ArrowMappingOptions)).toThrow("timestampUnit: invalid value 'ns'");
  });

  it('SchemaRegistry.open and watch reject unknown keys and bad values', async () => {
    await expect(SchemaRegistry.open({ directory: '/tmp' } as never)).rejects.toThrow("unknown key 'directory'");
    await expect(SchemaRegistry.open({})).rejects.toThrow('needs a dir or urls');
    await expect(SchemaRegistry.open({ urls: ['ftp://x/a.proto'] })).rejects.toThrow('urls[0]:');
    await expect(SchemaRegistry.open({ dir: '/tmp', httpTimeoutMs: -1 })).rejects.toThrow('httpTimeoutMs: must be >= 0, got -1');
  });

  it('watchRulesFile rejects negative intervals and unknown keys', () => {
    expect(() => watchRulesFile('/tmp/rules.json', () => undefined, { intervalMs: -5 })).toThrow('intervalMs: must be >= 0, got -5');
    expect(() => watchRulesFile('/tmp/rules.json', () => undefined, { onErorr: () => undefined } as never)).toThrow("did you mean 'onError'?");
  });
});
