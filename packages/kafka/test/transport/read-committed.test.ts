/**
 * The fetched-partition decoder of the @platformatic/kafka transport: offsets, timestamps,
 * headers and aborted transactions, in both of its arithmetic paths (Numbers while exact,
 * BigInt near the 64-bit end), checked against a plain BigInt oracle.
 */

import type { fetchV12 } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { decodeFetchedPartition } from '../../src/transport/read-committed.js';

type Batch = fetchV12.FetchResponsePartition['records'] extends (infer B)[] | undefined ? B : never;

function batch(firstOffset: bigint, count: number, o: { attributes?: number; producerId?: bigint; firstTimestamp?: bigint; headers?: Array<[Buffer, Buffer]> } = {}): Batch {
  const firstTimestamp = o.firstTimestamp ?? 1_700_000_000_000n;
  const records = Array.from({ length: count }, (_, i) => ({
    length: 0,
    attributes: 0,
    timestampDelta: BigInt(i * 3),
    offsetDelta: i,
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${firstOffset + BigInt(i)}`),
    headers: o.headers ?? [],
  }));
  return {
    firstOffset,
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: o.attributes ?? 0,
    lastOffsetDelta: count - 1,
    firstTimestamp,
    maxTimestamp: firstTimestamp + BigInt((count - 1) * 3),
    producerId: o.producerId ?? -1n,
    producerEpoch: 0,
    firstSequence: 0,
    records,
  } as unknown as Batch;
}

function partition(batches: Batch[], abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }> = []): fetchV12.FetchResponsePartition {
  return { partitionIndex: 2, errorCode: 0, highWatermark: 10n ** 18n, lastStableOffset: 0n, logStartOffset: 0n, abortedTransactions, preferredReadReplica: -1, records: batches } as unknown as fetchV12.FetchResponsePartition;
}

/** The expected records, computed in BigInt only. */
function oracle(batches: Batch[], from: bigint): Array<{ offset: string; value: string; timestamp: number }> {
  const out = [];
  for (const b of batches) {
    for (const r of b.records) {
      const offset = b.firstOffset + BigInt(r.offsetDelta);
      if (offset >= from) out.push({ offset: offset.toString(), value: r.value!.toString(), timestamp: Number(b.firstTimestamp + r.timestampDelta) });
    }
  }
  return out;
}

describe('decodeFetchedPartition', () => {
  const near64 = 2n ** 62n;
  for (const [name, base] of [
    ['small offsets (Number arithmetic)', 1_000n],
    ['offsets near 2^53 (falls back to BigInt)', 2n ** 53n - 5n],
    ['offsets near 2^62 (BigInt)', near64],
  ] as const) {
    it(`${name}: every record from the fetch offset on, exact`, () => {
      const batches = [batch(base, 5), batch(base + 5n, 7), batch(base + 12n, 3)];
      const from = base + 3n;
      const got = decodeFetchedPartition('t', partition(batches), from.toString(), true);
      expect(got.records.map((r) => ({ offset: r.offset, value: r.value!.toString(), timestamp: r.timestamp }))).toEqual(oracle(batches, from));
      expect(got.nextOffset).toBe((base + 15n).toString());
    });
  }

  it('headers become a record of buffers (repeated names as arrays); no headers an empty one per record', () => {
    const h: Array<[Buffer, Buffer]> = [
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('a'), Buffer.from('2')],
      [Buffer.from('b'), Buffer.from('3')],
    ];
    const got = decodeFetchedPartition('t', partition([batch(0n, 2, { headers: h }), batch(2n, 2)]), '0', false);
    expect(got.records[0]!.headers).toEqual({ a: [Buffer.from('1'), Buffer.from('2')], b: Buffer.from('3') });
    expect(got.records[2]!.headers).toEqual({});
    expect(got.records[2]!.headers).not.toBe(got.records[3]!.headers);
  });

  it('log-append time gives every record the batch max timestamp', () => {
    const got = decodeFetchedPartition('t', partition([batch(0n, 4, { attributes: 0x08 })]), '0', false);
    expect(got.records.map((r) => r.timestamp)).toEqual(Array(4).fill(1_700_000_000_009));
  });

  it('read_committed drops an aborted transaction up to its ABORT marker; read_uncommitted keeps it', () => {
    const abortMarker = { ...batch(13n, 1, { attributes: 0x30, producerId: 7n }) };
    abortMarker.records[0]!.key = Buffer.from([0, 0, 0, 0]); // control record version 0, type 0 = ABORT
    const batches = [batch(0n, 5), batch(5n, 8, { attributes: 0x10, producerId: 7n }), abortMarker, batch(14n, 2, { attributes: 0x10, producerId: 7n })];
    const aborted = [{ producerId: 7n, firstOffset: 5n }];
    const committed = decodeFetchedPartition('t', partition(batches, aborted), '0', true);
    expect(committed.records.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4', '14', '15']);
    const all = decodeFetchedPartition('t', partition(batches, aborted), '0', false);
    expect(all.records).toHaveLength(15);
    expect(committed.nextOffset).toBe('16');
  });
});
