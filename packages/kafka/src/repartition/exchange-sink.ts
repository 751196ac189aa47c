/**
 * The writing side of a repartition exchange: every record goes to the partition of its key
 * group, inside the exactly-once Kafka sink's checkpoint transaction, followed (at least once
 * per checkpoint, and when event time moves) by a watermark marker in every partition. When its
 * input ends (a bounded end or a drain) it writes an end marker into every partition, committed
 * with the next checkpoint, and no markers after it.
 */

import { keyGroupOf, MAX_WATERMARK, MIN_WATERMARK, type Sink, type SinkWriter } from '@weir/core';
import type { KafkaSinkRecord } from '../sink/types.js';
import { HEADER_END, HEADER_PRODUCER, HEADER_PRODUCERS, HEADER_WATERMARK } from './watermark-markers.js';

export interface ExchangeSinkSettings<T> {
  partitions: number;
  key: (value: T) => string;
  serialize: (value: T) => Buffer | string;
  /** Least time between two watermark markers sent because event time moved. */
  markerIntervalMs: number;
  /** Creates the topic before the first write (shared with the reading side). */
  ensureTopic: () => Promise<void>;
}

export function exchangeSink<T>(inner: Sink<KafkaSinkRecord, unknown, unknown>, s: ExchangeSinkSettings<T>): Sink<T, unknown, unknown> {
  return {
    async createWriter(ctx, restored, rescale) {
      await s.ensureTopic();
      const w = await inner.createWriter(ctx, restored, rescale);
      return new ExchangeWriter(w, s, ctx.subtask, ctx.parallelism);
    },
    createCommitter: (ctx) => inner.createCommitter(ctx),
    ...(inner.abortLeftovers ? { abortLeftovers: (ctx, committables) => inner.abortLeftovers!(ctx, committables) } : {}),
  };
}

class ExchangeWriter<T> implements SinkWriter<T, unknown> {
  private watermark = MIN_WATERMARK;
  private sentWatermark = MIN_WATERMARK;
  private sentAt = 0;
  private ended = false;
  /** The last event time written (a record's, or a watermark below MAX): the markers' Kafka timestamp. */
  private eventTime: number | undefined;

  constructor(
    private readonly inner: SinkWriter<KafkaSinkRecord, unknown>,
    private readonly s: ExchangeSinkSettings<T>,
    private readonly subtask: number,
    private readonly parallelism: number,
  ) {}

  write(records: readonly T[], timestamps: readonly number[]): void | Promise<void> {
    const { partitions, key, serialize } = this.s;
    const out = new Array<KafkaSinkRecord>(records.length);
    for (let i = 0; i < records.length; i++) {
      const v = records[i]!;
      const k = key(v);
      const ts = timestamps[i]!;
      out[i] = { key: k, value: serialize(v), partition: keyGroupOf(k, partitions), ...(ts >= 0 && ts < MAX_WATERMARK ? { timestamp: ts } : {}) };
    }
    const last = timestamps[records.length - 1];
    if (last !== undefined && last >= 0 && last < MAX_WATERMARK) this.eventTime = last;
    return this.inner.write(out, timestamps);
  }

  onWatermark(watermark: number): void | Promise<void> {
    this.watermark = watermark;
    if (watermark >= 0 && watermark < MAX_WATERMARK) this.eventTime = watermark;
    // the MAX watermark comes right before the end of input, whose end markers carry it
    if (this.ended || watermark === MAX_WATERMARK) return undefined;
    if (Date.now() - this.sentAt >= this.s.markerIntervalMs) return this.sendMarkers();
    return undefined;
  }

  /** The input ended: an end marker (MAX watermark, `weir-end`) into every partition; nothing after it. */
  endOfInput(): void | Promise<void> {
    if (this.ended) return undefined;
    this.watermark = MAX_WATERMARK;
    const r = this.sendMarkers(true);
    this.ended = true;
    return r;
  }

  /** One marker per partition with this instance's watermark (re-sent at every checkpoint, so a restored reader learns it again). */
  private sendMarkers(end = false): void | Promise<void> {
    if (this.watermark === MIN_WATERMARK && !end) return undefined;
    this.sentWatermark = this.watermark;
    this.sentAt = Date.now();
    const headers: Record<string, string> = { [HEADER_WATERMARK]: String(this.watermark), [HEADER_PRODUCER]: String(this.subtask), [HEADER_PRODUCERS]: String(this.parallelism) };
    if (end) headers[HEADER_END] = '1';
    const markers: KafkaSinkRecord[] = [];
    // a marker's Kafka timestamp is the writer's event time, not the time of sending: records and
    // markers share a batch, and @platformatic/dynamic-buffer 0.3.1 (under @platformatic/kafka)
    // zigzag-encodes a record's timestamp delta from the batch's first one wrongly beyond 2^31 ms
    // (~24.8 days: `>> 31n` for `>> 63n`), which old event times next to a wall-clock marker reach
    const timestamp = this.eventTime;
    for (let p = 0; p < this.s.partitions; p++) markers.push({ key: null, value: null, partition: p, headers, ...(timestamp !== undefined ? { timestamp } : {}) });
    return this.inner.write(markers, new Array<number>(markers.length).fill(timestamp ?? Date.now()));
  }

  async prepareCommit(checkpointId: number): Promise<unknown[]> {
    // after its end the writer is silent: readers keep the ends they read in their checkpoints
    if (!this.ended) await this.sendMarkers();
    return this.inner.prepareCommit(checkpointId);
  }

  snapshotState(checkpointId: number): unknown {
    return this.inner.snapshotState?.(checkpointId);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** For tests and metrics: the last watermark announced. */
  get announced(): number {
    return this.sentWatermark;
  }
}
