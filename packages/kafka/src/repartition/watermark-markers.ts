/**
 * Event time and end of input across a repartition topic. Every partition receives records from
 * every upstream instance (writer), each with its own progress, so a partition's watermark is
 * the lowest of its writers' watermarks (Flink's min over input channels). Writers write a marker
 * record (headers only) with their watermark into every partition, at least at every checkpoint,
 * and when their input ends an end marker (the MAX watermark plus `weir-end`); the reading
 * instance keeps, per partition, the newest marker of each writer and which writers ended. A
 * partition ends once every writer of the current writer set ended in it.
 */

import { MAX_WATERMARK, MIN_WATERMARK, type WatermarkStrategy } from '@weir/core';
import type { KafkaRecord } from '../source/types.js';

export const HEADER_WATERMARK = 'weir-wm';
export const HEADER_PRODUCER = 'weir-producer';
export const HEADER_PRODUCERS = 'weir-producers';
/** On a writer's end marker ('1'): its input ended; it writes nothing more into the partition in this run. */
export const HEADER_END = 'weir-end';

export function isMarker(record: KafkaRecord): boolean {
  return record.headers[HEADER_WATERMARK] !== undefined;
}

function headerText(record: KafkaRecord, name: string): string | undefined {
  const h = record.headers[name];
  const b = Array.isArray(h) ? h[h.length - 1] : h;
  return b?.toString('utf8');
}

function headerNumber(record: KafkaRecord, name: string): number {
  const t = headerText(record, name);
  return t === undefined ? NaN : Number(t);
}

/** What a reader knows of one partition's writers; checkpointed with the partition's split. */
export interface WriterProgress {
  /** The writer count of the newest markers read (the writing run's instance count). */
  writers: number;
  /** Writers (by instance index) whose end marker was read since that count applies. */
  ended: number[];
}

/** Per partition: the writer count of the newest markers, each writer's watermark, the ended writers. */
class PartitionProgress {
  producers = 0;
  readonly marks = new Map<number, number>();
  readonly ended = new Set<number>();

  observe(producers: number, producer: number, watermark: number, end: boolean): void {
    // only Weir writes these topics: a marker without valid numbers is not one of ours
    if (!Number.isInteger(producers) || producers < 1 || !Number.isInteger(producer) || producer < 0 || producer >= producers) return;
    // writers rescaled (after a savepoint set): markers and ends of the old run no longer count
    if (producers !== this.producers) this.restart(producers);
    const wm = end ? MAX_WATERMARK : watermark;
    if (end) this.ended.add(producer);
    const prev = this.marks.get(producer) ?? MIN_WATERMARK;
    if (wm > prev) this.marks.set(producer, wm);
  }

  restart(producers: number): void {
    this.producers = producers;
    this.marks.clear();
    this.ended.clear();
  }

  get complete(): boolean {
    return this.producers > 0 && this.ended.size >= this.producers;
  }

  watermark(): number {
    if (this.producers === 0 || this.marks.size < this.producers) return MIN_WATERMARK;
    let min = Infinity;
    for (const wm of this.marks.values()) if (wm < min) min = wm;
    return min;
  }
}

/**
 * The reading side's knowledge of the writers, for the partitions this instance owns. The reader
 * feeds it the markers it polls and seeds it from restored splits; the watermark strategy reads it.
 */
export class ExchangeProgress {
  private partitions = new Map<number, PartitionProgress>();
  private cached = MIN_WATERMARK;
  private dirty = false;

  constructor(readonly owned: readonly number[]) {
    this.reset();
  }

  /** A new reader (a new attempt) knows what its restored splits say, never what an earlier attempt read. */
  reset(): void {
    this.partitions = new Map(this.owned.map((p) => [p, new PartitionProgress()]));
    this.dirty = true;
  }

  /** A restored split: its writers' count and the writers that had ended (their watermark is MAX). */
  seed(partition: number, progress: WriterProgress): void {
    const p = this.partitions.get(partition);
    if (p === undefined || !(progress.writers >= 1)) return;
    p.restart(progress.writers);
    for (const w of progress.ended) p.observe(progress.writers, w, MAX_WATERMARK, true);
    this.dirty = true;
  }

  /** A marker read from `record.partition`. */
  observe(record: KafkaRecord): void {
    const p = this.partitions.get(record.partition);
    if (p === undefined) return;
    p.observe(headerNumber(record, HEADER_PRODUCERS), headerNumber(record, HEADER_PRODUCER), headerNumber(record, HEADER_WATERMARK), headerText(record, HEADER_END) === '1');
    this.dirty = true;
  }

  /** Every writer of the current writer set ended in this partition. */
  isComplete(partition: number): boolean {
    return this.partitions.get(partition)?.complete ?? false;
  }

  snapshot(partition: number): WriterProgress | undefined {
    const p = this.partitions.get(partition);
    if (p === undefined || p.producers === 0) return undefined;
    return { writers: p.producers, ended: [...p.ended].sort((a, b) => a - b) };
  }

  /** The lowest watermark over the owned partitions (each the lowest over its writers). */
  watermark(): number {
    if (!this.dirty) return this.cached;
    this.dirty = false;
    let min = Infinity;
    for (const p of this.partitions.values()) min = Math.min(min, p.watermark());
    this.cached = min === Infinity ? MIN_WATERMARK : min;
    return this.cached;
  }
}

/**
 * The watermark strategy of an exchange's reading side: timestamps are the records' Kafka
 * timestamps (the event time the producer wrote); the watermark of every split is the lowest
 * over the partitions this instance owns, from the markers the reader observed.
 */
export function markerWatermarks(progress: ExchangeProgress): WatermarkStrategy<KafkaRecord> {
  return {
    // markers carry the writer's event time too and are dropped by the decode step: no header lookup here
    timestampAssigner: (record) => record.timestamp,
    createGenerator: () => ({ onEvent: () => undefined, currentWatermark: () => progress.watermark() }),
  };
}
