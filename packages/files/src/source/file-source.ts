/**
 * The file source: reads the tables the file sink wrote back as a stream. Each table is one
 * split and is read like a Kafka partition whose offsets are its partitions: in partition-time
 * order, each partition only once it was announced, file by file (in commit order), row group
 * by row group. The split's position (partition, file, row group, row) is what checkpoints
 * store. Tables are spread over parallel instances like Kafka partitions.
 */

import { MIN_WATERMARK, WatermarkStrategies, validateOptions, type FluentWatermarkStrategy, type Source, type SourceSplit, type SplitEnumerator, type SplitEnumeratorContext, type TimestampAssigner } from '@weir/core';
import { LocalFileStorage } from '../storage/local.js';
import { TimeBuckets } from '../sink/time-buckets.js';
import { fileSourceOptionsSchema, type FileSourceOptions, type Row } from './options.js';
import { immediateReadiness, successFileReadiness } from './readiness.js';
import { TableReader, type ResolvedSourceOptions } from './table-reader.js';

/** One table's position, as a checkpoint stores it: the next row to read. */
export interface TableSplit extends SourceSplit {
  /** The table (stream) name; also the split id. */
  readonly table: string;
  /** Start (epoch ms) of the partition being read, or of the next one once a partition is done. */
  readonly partition: number;
  /** File of the partition being read (absent before its first file). */
  readonly file?: string;
  readonly rowGroup: number;
  /** Rows of that row group already read. */
  readonly row: number;
}

/** A source over tables written by `bucketedFileSink` with `parquetFormat`. */
export function fileSource<T = Row>(options: FileSourceOptions<T>): Source<T, TableSplit, null> {
  validateOptions(fileSourceOptionsSchema, options, 'fileSource options');
  const buckets = new TimeBuckets(options.partitionPattern ?? 'dt=YYYY-MM-DD/hour=HH', options.timeZone ?? 'UTC');
  const readiness = options.readiness ?? 'success-file';
  const resolved: ResolvedSourceOptions<T> = {
    storage: typeof options.storage === 'string' ? new LocalFileStorage(options.storage) : options.storage,
    buckets,
    to: options.to,
    readiness: readiness === 'success-file' ? successFileReadiness() : readiness === 'none' ? immediateReadiness() : readiness,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    columns: options.columns,
    batchSize: options.batchSize ?? 2000,
    recordOf: options.recordOf ?? ((row) => row as T),
  };
  const first = buckets.partitionOf(options.from).start;
  return {
    boundedness: options.to === undefined ? 'unbounded' : 'bounded',
    createEnumerator: (ctx, restored) => new TableEnumerator(ctx, options.tables, first, restored?.assigned),
    createReader: (ctx) => new TableReader<T>(resolved, ctx),
  };
}

/** Assigns this instance its share of the tables (table i to subtask i mod parallelism), once. */
class TableEnumerator implements SplitEnumerator<TableSplit, null> {
  constructor(
    private readonly ctx: SplitEnumeratorContext<TableSplit>,
    private readonly tables: readonly string[],
    private readonly first: number,
    private readonly restored: TableSplit[] | undefined,
  ) {}

  async start(): Promise<void> {
    const known = new Set((this.restored ?? []).map((s) => s.id));
    // a table added to the options since the checkpoint starts at `from`
    const fresh = this.tables
      .filter((t, i) => i % this.ctx.parallelism === this.ctx.subtask && !known.has(t))
      .map((table): TableSplit => ({ id: table, table, partition: this.first, rowGroup: 0, row: 0 }));
    if (fresh.length > 0) this.ctx.assignSplits(fresh);
    this.ctx.signalNoMoreSplits();
  }

  addSplitsBack(splits: TableSplit[]): void {
    this.ctx.assignSplits(splits);
  }

  snapshotState(): null {
    return null;
  }

  async close(): Promise<void> {}
}

/**
 * Event time from `timestampOf`, watermarks from partition time only: a table's watermark is its
 * partition's start - 1 while the partition is read and its end - 1 once it was read. Rows of an
 * hour may then come in any order (several part files, parallel writers): none is ever late.
 */
export function partitionTimeWatermarks<T>(timestampOf: TimestampAssigner<T>): FluentWatermarkStrategy<T> {
  return WatermarkStrategies.forGenerator(() => ({ onEvent() {}, currentWatermark: () => MIN_WATERMARK }), timestampOf);
}
