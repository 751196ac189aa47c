/**
 * Event time across a repartition topic. Every partition receives records from every upstream
 * instance, each with its own progress, so a partition's watermark is the lowest of its
 * producers' watermarks (Flink's min over input channels). Producers write a marker record
 * (headers only) with their watermark into every partition, at least at every checkpoint;
 * the reading instance keeps, per partition, the newest marker of each producer.
 */

import { MIN_WATERMARK, type WatermarkStrategy } from '@weir/core';
import type { KafkaRecord } from '../source/types.js';

export const HEADER_WATERMARK = 'weir-wm';
export const HEADER_PRODUCER = 'weir-producer';
export const HEADER_PRODUCERS = 'weir-producers';

export function isMarker(record: KafkaRecord): boolean {
  return record.headers[HEADER_WATERMARK] !== undefined;
}

function headerNumber(record: KafkaRecord, name: string): number {
  const h = record.headers[name];
  const b = Array.isArray(h) ? h[h.length - 1] : h;
  return b === undefined ? NaN : Number(b.toString('utf8'));
}

/** Per partition: the producer count of the newest markers and each producer's watermark. */
class PartitionProgress {
  producers = 0;
  readonly marks = new Map<number, number>();

  observe(producers: number, producer: number, watermark: number): void {
    // producers rescaled (after a savepoint set): markers of the old run no longer count
    if (producers !== this.producers) {
      this.producers = producers;
      this.marks.clear();
    }
    const prev = this.marks.get(producer) ?? MIN_WATERMARK;
    if (watermark > prev) this.marks.set(producer, watermark);
  }

  watermark(): number {
    if (this.producers === 0 || this.marks.size < this.producers) return MIN_WATERMARK;
    let min = Infinity;
    for (const wm of this.marks.values()) if (wm < min) min = wm;
    return min;
  }
}

/**
 * The watermark strategy of an exchange's reading side: timestamps are the records' Kafka
 * timestamps (the event time the producer wrote); the watermark of every split is the lowest
 * over the partitions this instance owns (each the lowest over its producers).
 */
export function markerWatermarks(ownedPartitions: readonly number[]): WatermarkStrategy<KafkaRecord> {
  const progress = new Map<number, PartitionProgress>(ownedPartitions.map((p) => [p, new PartitionProgress()]));
  let cached = MIN_WATERMARK;
  let dirty = false;
  const current = () => {
    if (!dirty) return cached;
    dirty = false;
    let min = Infinity;
    for (const p of progress.values()) min = Math.min(min, p.watermark());
    cached = min === Infinity ? MIN_WATERMARK : min;
    return cached;
  };
  return {
    timestampAssigner: (record) => {
      if (!isMarker(record)) return record.timestamp;
      const p = progress.get(record.partition);
      if (p !== undefined) {
        p.observe(headerNumber(record, HEADER_PRODUCERS), headerNumber(record, HEADER_PRODUCER), headerNumber(record, HEADER_WATERMARK));
        dirty = true;
      }
      return MIN_WATERMARK;
    },
    createGenerator: () => ({ onEvent: () => undefined, currentWatermark: current }),
  };
}
