/**
 * OffsetFetch v7 on @platformatic/kafka's public request builder (`createAPI`, `Writer`,
 * `Reader`). The library ships OffsetFetch v8+ only (several groups per request), which
 * `@weir/embedded-kafka` does not speak; v7 asks for one group, as Weir does, and every broker
 * since Kafka 2.5 answers it.
 */

import { createAPI, Writer, type Reader } from '@platformatic/kafka';

export interface OffsetFetchV7Partition {
  partitionIndex: number;
  committedOffset: bigint;
  errorCode: number;
}

export interface OffsetFetchV7Response {
  topics: Array<{ name: string; partitions: OffsetFetchV7Partition[] }>;
  errorCode: number;
}

/* OffsetFetch Request (Version: 7, flexible) => group_id [topics] require_stable TAG_BUFFER; topics null = all */
function createRequest(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null, requireStable: boolean): Writer {
  return Writer.create()
    .appendString(groupId)
    .appendArray(topics, (w, t) => {
      w.appendString(t.name).appendArray(t.partitionIndexes, (w2, i) => w2.appendInt32(i), true, false);
    })
    .appendBoolean(requireStable)
    .appendTaggedFields();
}

/* OffsetFetch Response (Version: 7) => throttle_time_ms [topics] error_code TAG_BUFFER */
function parseResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): OffsetFetchV7Response {
  reader.readInt32(); // throttle_time_ms
  const topics = reader.readArray((r) => ({
    name: r.readString(),
    partitions: r.readArray((p) => {
      const partitionIndex = p.readInt32();
      const committedOffset = p.readInt64();
      p.readInt32(); // committed_leader_epoch
      p.readNullableString(); // metadata
      return { partitionIndex, committedOffset, errorCode: p.readInt16() };
    }),
  }));
  return { topics, errorCode: reader.readInt16() };
}

export const offsetFetchV7 = createAPI<[groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null, requireStable: boolean], OffsetFetchV7Response>(
  9,
  7,
  createRequest,
  parseResponse,
);
