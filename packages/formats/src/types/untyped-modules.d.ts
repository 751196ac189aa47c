// Minimal typings for dependencies that ship none (only what this package calls).

declare module 'lz4js' {
  /** LZ4 frame format compression. */
  export function compress(src: Uint8Array | number[]): Uint8Array;
  /** LZ4 frame format decompression into a buffer of `maxSize` (default: the frame's bound). */
  export function decompress(src: Uint8Array | number[], maxSize?: number): Uint8Array;
  /** Largest size the frame may decompress to (content size, else blocks x max block size). */
  export function decompressBound(src: Uint8Array | number[]): number;
}

declare module 'snappyjs' {
  /** Raw (block) Snappy compression. */
  export function compress<T extends Uint8Array | ArrayBuffer | Buffer>(src: T): T;
  /** Raw (block) Snappy decompression. */
  export function uncompress<T extends Uint8Array | ArrayBuffer | Buffer>(src: T, maxLength?: number): T;
}

declare module 'parquetjs-lite' {
  export class ParquetSchema {
    constructor(fields: Record<string, unknown>);
  }
  export class ParquetEnvelopeWriter {
    static openStream(schema: ParquetSchema, outputStream: NodeJS.WritableStream, opts?: Record<string, unknown>): Promise<ParquetEnvelopeWriter>;
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, opts?: Record<string, unknown>): Promise<ParquetWriter>;
    static openStream(schema: ParquetSchema, outputStream: NodeJS.WritableStream, opts?: Record<string, unknown>): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setRowGroupSize(n: number): void;
    close(): Promise<void>;
  }
  const parquet: { ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter };
  export default parquet;
}

declare module 'parquetjs-lite/lib/types.js' {
  export const PARQUET_LOGICAL_TYPES: Record<string, { primitiveType: string; originalType?: string; toPrimitive: (v: any) => unknown; fromPrimitive?: (v: any) => unknown }>;
}
