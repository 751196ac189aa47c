/** Reconciliation counters, registered on a job's `MetricsRegistry` when one is given. */

import { Counter, type Registry } from 'prom-client';
import type { MetricsRegistry } from '@weir/core';
import type { ReadyPartition } from '../partition/types.js';

type Labels = 'sink' | 'stream';

function counter(registry: Registry, name: string, help: string): Counter<Labels> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<Labels>;
  return new Counter({ name, help, labelNames: ['sink', 'stream'], registers: [registry] });
}

export class FilesMetrics {
  private readonly recordsIn: Counter<Labels>;
  private readonly recordsOut: Counter<Labels>;
  private readonly dead: Counter<Labels>;
  private readonly partitions: Counter<Labels>;
  private readonly lateRecords: Counter<Labels>;

  constructor(
    registry: MetricsRegistry,
    private readonly sink: string,
  ) {
    const r = registry.prom;
    this.recordsIn = counter(r, 'weir_files_partition_records_in_total', 'Records that arrived for announced partitions.');
    this.recordsOut = counter(r, 'weir_files_partition_records_out_total', 'Records written to the files of announced partitions.');
    this.dead = counter(r, 'weir_files_partition_dead_letters_total', 'Records of announced partitions sent to the late side output.');
    this.partitions = counter(r, 'weir_files_partitions_announced_total', 'Partition announcements (re-announcements included).');
    this.lateRecords = counter(r, 'weir_files_late_records_total', 'Records that arrived after their partition closed.');
  }

  /** What was counted per partition, so a redone commit does not count twice. */
  private readonly counted = new Map<string, { version: number; recordsIn: number; recordsOut: number; dead: number }>();

  /** Count a partition announcement; a re-announcement adds only what changed. */
  announced(stream: string, p: ReadyPartition): void {
    const key = `${stream}\u0000${p.partition}`;
    const prev = this.counted.get(key);
    if (prev !== undefined && prev.version >= p.version) return;
    const l = { sink: this.sink, stream };
    this.recordsIn.inc(l, Math.max(0, p.recordsIn - (prev?.recordsIn ?? 0)));
    this.recordsOut.inc(l, Math.max(0, p.recordsOut - (prev?.recordsOut ?? 0)));
    this.dead.inc(l, Math.max(0, p.deadLetters - (prev?.dead ?? 0)));
    this.partitions.inc(l);
    if (this.counted.size > 100_000) this.counted.clear();
    this.counted.set(key, { version: p.version, recordsIn: p.recordsIn, recordsOut: p.recordsOut, dead: p.deadLetters });
  }

  late(stream: string, n: number): void {
    this.lateRecords.inc({ sink: this.sink, stream }, n);
  }
}
