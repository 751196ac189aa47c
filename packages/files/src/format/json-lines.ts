/** JSON lines: one record per line; merging is concatenation. */

import { count, fn, schemaFor, strictObject, validateOptions } from '@weir/core';
import type { FileStorage, StorageWriteStream } from '../storage/types.js';
import type { BulkFormat, BulkWriter } from './types.js';

export interface JsonLinesFormatOptions<T> {
  /** Serialise one record (default `JSON.stringify`); must not contain a newline. */
  serialize?: (record: T) => string;
  /** Buffered characters before a part writes to storage (default 256 KiB). */
  bufferChars?: number;
}

const optionsSchema = schemaFor<JsonLinesFormatOptions<any>>()(strictObject({ serialize: fn<(record: any) => string>().optional(), bufferChars: count(1).optional() }));

/** The JSON-lines {@link BulkFormat}. */
export function jsonLinesFormat<T>(options: JsonLinesFormatOptions<T> = {}): BulkFormat<T> {
  validateOptions(optionsSchema, options, 'jsonLinesFormat options');
  const serialize = options.serialize ?? ((r: T) => JSON.stringify(r));
  const bufferChars = options.bufferChars ?? 256 * 1024;
  return {
    extension: '.jsonl',
    open: (storage, path) => new JsonLinesWriter(storage, path, serialize, bufferChars),
    async merge(storage, inputs, output) {
      const out = await storage.openWrite(output);
      try {
        for (const input of inputs) for await (const chunk of storage.openRead(input)) await out.write(chunk);
      } catch (err) {
        await out.abort();
        throw err;
      }
      await out.close(true);
    },
  };
}

class JsonLinesWriter<T> implements BulkWriter<T> {
  bytes = 0;
  private buffered: string[] = [];
  private bufferedChars = 0;
  private stream: StorageWriteStream | undefined;

  constructor(
    private readonly storage: FileStorage,
    private readonly path: string,
    private readonly serialize: (r: T) => string,
    private readonly bufferChars: number,
  ) {}

  write(records: readonly T[]): void | Promise<void> {
    let s = '';
    for (let i = 0; i < records.length; i++) s += this.serialize(records[i]!) + '\n';
    this.buffered.push(s);
    this.bufferedChars += s.length;
    this.bytes += Buffer.byteLength(s);
    if (this.bufferedChars >= this.bufferChars) return this.flush();
    return undefined;
  }

  private async flush(): Promise<void> {
    this.stream ??= await this.storage.openWrite(this.path);
    if (this.buffered.length === 0) return;
    const data = this.buffered.join('');
    this.buffered = [];
    this.bufferedChars = 0;
    await this.stream.write(data);
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.stream!.close(true);
    this.stream = undefined;
  }

  async abort(): Promise<void> {
    await this.stream?.abort();
    this.stream = undefined;
  }
}
