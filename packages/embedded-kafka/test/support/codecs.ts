import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { createRequire } from 'node:module';
import { init as zstdInit, compress as zstdCompress, decompress as zstdDecompress } from '@bokuweb/zstd-wasm';

type CodecFactory = () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
// Both packages are CommonJS without usable ESM typings.
const require = createRequire(import.meta.url);
const SnappyCodec = require('kafkajs-snappy') as CodecFactory;
const LZ4Codec = require('kafkajs-lz4') as new () => { codec: CodecFactory };

let ready: Promise<void> | null = null;

/** Registers snappy, lz4 and a WebAssembly zstd codec with KafkaJS (once per process). */
export function registerCodecs(): Promise<void> {
  ready ??= (async () => {
    await zstdInit();
    (CompressionCodecs as any)[CompressionTypes.Snappy] = SnappyCodec;
    (CompressionCodecs as any)[CompressionTypes.LZ4] = new LZ4Codec().codec;
    (CompressionCodecs as any)[CompressionTypes.ZSTD] = () => ({
      compress: async (encoder: { buffer: Buffer }) => Buffer.from(zstdCompress(encoder.buffer, 3)),
      decompress: async (buffer: Buffer) => Buffer.from(zstdDecompress(buffer)),
    });
  })();
  return ready;
}
