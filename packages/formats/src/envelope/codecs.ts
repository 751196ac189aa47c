/** Payload compression codecs: all pure JS or wasm, all synchronous once loaded. */

import { gunzipSync, gzipSync } from 'node:zlib';
import * as zstd from '@bokuweb/zstd-wasm';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';

/** Compression of an envelope's payload. */
export type Compression = 'none' | 'gzip' | 'zstd' | 'lz4' | 'snappy';

/** Every compression, in envelope enum order (index = wire value). */
export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'zstd', 'lz4', 'snappy'];

// zstd is wasm: instantiated once when this module loads, then used synchronously.
await zstd.init();

/** Compress `data` (lz4 = LZ4 frame format, snappy = raw Snappy block, zstd level 3). */
export function compress(data: Uint8Array, compression: Compression): Uint8Array {
  switch (compression) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'zstd':
      return zstd.compress(data, 3);
    case 'lz4':
      return lz4.compress(data);
    case 'snappy':
      return snappy.compress(data);
  }
}

/** Decompress `data`; throws with the codec's reason when the bytes are not valid for it. */
export function decompress(data: Uint8Array, compression: Compression): Uint8Array {
  switch (compression) {
    case 'none':
      return data;
    case 'gzip':
      return gunzipSync(data);
    case 'zstd':
      return zstd.decompress(data);
    case 'lz4': {
      // lz4js ignores a bad frame magic and may return garbage; check the magic ourselves.
      if (data.length < 7 || data[0] !== 0x04 || data[1] !== 0x22 || data[2] !== 0x4d || data[3] !== 0x18) {
        throw new Error('not an LZ4 frame (bad magic number)');
      }
      // Without a size hint lz4js allocates (and zero-fills) the frame's 4 MiB maximum block for
      // every payload; LZ4 cannot expand more than ~255x, so that bound is enough and small.
      return lz4.decompress(data, Math.min(lz4.decompressBound(data), data.length * 255 + 64));
    }
    case 'snappy':
      return snappy.uncompress(data);
  }
}
