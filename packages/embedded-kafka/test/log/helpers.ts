/** Test helpers: build producer batches the way a client would send them. */
import { buildRecordBatch, readBatchInfo } from '../../src/log/index.js';
import type { AppendBatchInfo } from '../../src/log/types.js';
import { readBatchHeaders } from '../../src/protocol/index.js';

export interface BatchOptions {
  count?: number;
  valueSize?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  timestampMs?: number;
  /** Timestamp step between records. */
  timestampStep?: number;
  tag?: string;
}

/** A batch of `count` records as a producer would send it (baseOffset 0, valid CRC). */
export function batch(opts: BatchOptions = {}): AppendBatchInfo {
  const count = opts.count ?? 1;
  const ts = opts.timestampMs ?? 1_000;
  const records = Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: opts.valueSize !== undefined ? Buffer.alloc(opts.valueSize, i) : Buffer.from(`${opts.tag ?? 'v'}-${i}`),
    timestampMs: ts + i * (opts.timestampStep ?? 0),
  }));
  const bytes = buildRecordBatch({
    baseOffset: 0,
    records,
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
    transactional: opts.transactional ?? false,
  });
  return readBatchInfo(bytes);
}

/** Split a fetched records buffer into its batches (the protocol module's parser, which also checks lengths and magic). */
export function splitBatches(records: Buffer | null): Array<{ baseOffset: number; lastOffset: number; bytes: Buffer }> {
  if (records === null) return [];
  return readBatchHeaders(records).map((h) => ({
    baseOffset: h.baseOffset,
    lastOffset: h.baseOffset + h.lastOffsetDelta,
    bytes: records.subarray(h.offsetInBuffer, h.offsetInBuffer + h.byteLength),
  }));
}
