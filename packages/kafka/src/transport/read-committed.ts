/**
 * Turns a raw fetched partition (record batches as @platformatic/kafka decodes them) into
 * Weir's {@link FetchedPartition}: records before the fetch offset, control records and — under
 * read_committed — records of aborted transactions are dropped, following the Kafka consumer's
 * algorithm (aborted producer ids become active at their transaction's first offset and end at
 * their ABORT marker).
 */

import type { fetchV12, RecordsBatch } from '@platformatic/kafka';
import type { FetchedPartition, FetchedRecord } from './types.js';

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;
/** Below this, offsets (plus a batch's deltas) and timestamps are exact as Numbers. */
const SAFE_OFFSET = BigInt(Number.MAX_SAFE_INTEGER) - 2n ** 32n;

export function decodeFetchedPartition(topic: string, p: fetchV12.FetchResponsePartition, fetchOffset: string, readCommitted: boolean): FetchedPartition {
  const start = BigInt(fetchOffset);
  const records: FetchedRecord[] = [];
  let next = start;
  // aborted transactions in order of first offset, consumed as the batches pass them
  const aborted = readCommitted ? [...p.abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)) : [];
  const abortedProducers = new Set<bigint>();
  for (const batch of p.records ?? []) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (lastOffset + 1n > next) next = lastOffset + 1n;
    while (aborted.length > 0 && aborted[0]!.firstOffset <= lastOffset) abortedProducers.add(aborted.shift()!.producerId);
    if ((batch.attributes & CONTROL) !== 0) {
      // an ABORT marker (control type 0) ends its producer's aborted transaction
      if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
      continue;
    }
    if ((batch.attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) continue;
    if (lastOffset < start) continue;
    const logAppend = (batch.attributes & LOG_APPEND_TIME) !== 0;
    const list = batch.records;
    // offsets and timestamps in Number arithmetic where exact (BigInt per record is the hot path's main cost)
    if (lastOffset < SAFE_OFFSET && batch.maxTimestamp < SAFE_OFFSET && batch.firstTimestamp < SAFE_OFFSET) {
      const first = Number(batch.firstOffset);
      const from = Number(start);
      const firstTimestamp = Number(batch.firstTimestamp);
      const maxTimestamp = Number(batch.maxTimestamp);
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!;
        const offset = first + r.offsetDelta;
        if (offset < from) continue;
        records.push({
          offset: String(offset),
          key: r.key,
          value: r.value,
          headers: r.headers.length === 0 ? {} : headersOf(r.headers),
          timestamp: logAppend ? maxTimestamp : firstTimestamp + Number(r.timestampDelta),
        });
      }
      continue;
    }
    for (const r of list) {
      const offset = batch.firstOffset + BigInt(r.offsetDelta);
      if (offset < start) continue;
      records.push({
        offset: offset.toString(),
        key: r.key,
        value: r.value,
        headers: headersOf(r.headers),
        timestamp: Number(logAppend ? batch.maxTimestamp : batch.firstTimestamp + r.timestampDelta),
      });
    }
  }
  return { topic, partition: p.partitionIndex, fetchOffset, records, nextOffset: next.toString(), highWatermark: p.highWatermark.toString() };
}

function isAbortMarker(batch: RecordsBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

function headersOf(list: Array<[Buffer | null, Buffer | null]>): Record<string, Buffer | Buffer[] | undefined> {
  const out: Record<string, Buffer | Buffer[] | undefined> = {};
  for (const [k, v] of list) {
    if (k === null) continue;
    const name = k.toString();
    const value = v ?? Buffer.alloc(0);
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
