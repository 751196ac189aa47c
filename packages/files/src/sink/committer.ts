/**
 * Commit phase of the file sink: publish pending parts (atomic renames), run the recorded
 * merge plans, publish this writer's progress, and (subtask 0) announce ready partitions.
 * Everything is idempotent: a restore re-runs it with the restored committables.
 */

import type { SinkCommitter, SinkContext } from '@weir/core';
import { announceReadyPartitions } from '../partition/announcer.js';
import { forEachLimit } from './concurrency.js';
import { executeMerge } from './merge.js';
import { progressFile, type AnnouncerState, type FilesCommittable, type PublishOp } from './model.js';
import type { ResolvedOptions } from './options.js';

export class FilesCommitter<T> implements SinkCommitter<FilesCommittable> {
  constructor(
    private readonly o: ResolvedOptions<T>,
    private readonly ctx: SinkContext,
    private readonly onAnnouncerState: (s: AnnouncerState) => void,
  ) {}

  async commit(_checkpointId: number, committables: FilesCommittable[]): Promise<void> {
    const o = this.o;
    for (const c of committables) {
      await forEachLimit(c.publish, o.concurrency, (p) => this.publish(p));
      await forEachLimit(c.merges, o.concurrency, (m) => executeMerge(o.storage, o.format, m, o.mergeHook));
      await o.storage.writeFileAtomic(progressFile(this.ctx.stepName, c.subtask), JSON.stringify(c.progress));
      if (c.subtask === 0 && c.announcer !== undefined) {
        const next = await announceReadyPartitions(
          {
            storage: o.storage,
            buckets: o.buckets,
            stepName: this.ctx.stepName,
            parallelism: c.parallelism,
            delayMs: o.delayMs,
            retainMs: o.retainMs,
            streams: o.streams,
            policies: o.policies,
            concurrency: o.concurrency,
            finalWaitMs: o.finalWaitMs,
            metrics: o.metrics,
            logger: this.ctx.logger,
          },
          c.progress,
          c.announcer,
        );
        this.onAnnouncerState(next);
      }
    }
  }

  private async publish(p: PublishOp): Promise<void> {
    try {
      await this.o.storage.rename(`${p.dir}/${p.pending}`, `${p.dir}/${p.final}`);
    } catch (err) {
      // published by an earlier run of the same commit: idempotent
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !(await this.o.storage.exists(`${p.dir}/${p.final}`))) throw err;
    }
  }
}
