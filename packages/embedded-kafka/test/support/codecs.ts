import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import LZ4Codec from 'kafkajs-lz4';
import SnappyCodec from 'kafkajs-snappy';
import { init as zstdInit, compress as zstdCompress, decompress as zstdDecompress } from '@bokuweb/zstd-wasm';

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
