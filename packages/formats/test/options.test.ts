import { OptionsError } from '@weir/core';
import * as arrow from 'apache-arrow';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ArrowBatchBuilder, SchemaRegistry, arrowSchemaFor, toParquet, watchRulesFile, type ArrowMappingOptions, type ParquetOptions } from '../src/index.js';

async function problemOfAsync(make: () => Promise<unknown>): Promise<string> {
  const err = await make().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OptionsError);
  return (err as OptionsError).message;
}

function problemOf(make: () => unknown): string {
  try {
    make();
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    return (err as OptionsError).message;
  }
  throw new Error('expected an OptionsError');
}

const type = protobuf.parse('syntax = "proto3"; message M { string a = 1; }').root.lookupType('M');
const table = arrow.tableFromArrays({ a: Int32Array.from([1, 2]) });

describe('formats options', () => {
  it('toParquet rejects misspelt compressions and engines, and unknown keys', async () => {
    expect(await problemOfAsync(() => toParquet(table, { compression: 'zstandard' } as unknown as ParquetOptions))).toContain("compression: invalid value 'zstandard'");
    expect(await problemOfAsync(() => toParquet(table, { engine: 'parquet_wasm' } as unknown as ParquetOptions))).toContain("did you mean 'parquet-wasm'?");
    expect(await problemOfAsync(() => toParquet(table, { rowGroupsize: 10 } as unknown as ParquetOptions))).toContain("unknown key 'rowGroupsize' (did you mean 'rowGroupSize'?)");
    expect((await toParquet(table, { compression: 'snappy', rowGroupSize: 1 })).length).toBeGreaterThan(0);
  });

  it('Arrow mapping options are checked by the builder and the schema function', () => {
    expect(problemOf(() => new ArrowBatchBuilder(type, { enums: 'dictonary' } as unknown as ArrowMappingOptions))).toContain("enums: invalid value 'dictonary'; expected 'string' | 'dictionary' (did you mean 'dictionary'?)");
    expect(problemOf(() => arrowSchemaFor(type, { timestampUnit: 'ns' } as unknown as ArrowMappingOptions))).toContain("timestampUnit: invalid value 'ns'");
  });

  it('SchemaRegistry.open and watch reject unknown keys and bad values', async () => {
    expect(await problemOfAsync(() => SchemaRegistry.open({ directory: '/tmp' } as never))).toContain("unknown key 'directory'");
    expect(await problemOfAsync(() => SchemaRegistry.open({}))).toContain('needs a dir or urls');
    expect(await problemOfAsync(() => SchemaRegistry.open({ urls: ['ftp://x/a.proto'] }))).toContain('urls[0]:');
    expect(await problemOfAsync(() => SchemaRegistry.open({ dir: '/tmp', httpTimeoutMs: -1 }))).toContain('httpTimeoutMs: must be >= 0, got -1');
  });

  it('watchRulesFile rejects negative intervals and unknown keys', () => {
    expect(problemOf(() => watchRulesFile('/tmp/rules.json', () => undefined, { intervalMs: -5 }))).toContain('intervalMs: must be >= 0, got -5');
    expect(problemOf(() => watchRulesFile('/tmp/rules.json', () => undefined, { onErorr: () => undefined } as never))).toContain("did you mean 'onError'?");
  });
});
