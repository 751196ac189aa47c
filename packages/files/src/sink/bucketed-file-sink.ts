/**
 * Exactly-once bucketed file sink: many streams, each a table directory partitioned by event
 * time, two-phase commit through hidden part files, small-file merging and partition
 * readiness announcements. See the package README for the protocols.
 */

import { validateOptions, type Sink, type SinkContext } from '@weir/core';
import { FilesCommitter } from './committer.js';
import { forEachLimit } from './concurrency.js';
import { rollForwardManifest } from './merge.js';
import { FilesMetrics } from './metrics.js';
import { emptyAnnouncer, isHidden, MANIFEST_PREFIX, progressFile, type AnnouncerState, type FilesCommittable, type FilesWriterState } from './model.js';
import { resolveOptions, type BucketedFileSinkOptions } from './options.js';
import { bucketedFileSinkOptionsSchema } from './options-schema.js';
import { rescaledWriterState } from './rescale.js';
import { BucketedWriter } from './writer.js';

/** The file sink; committables and writer state are opaque JSON kept in checkpoints. */
export type BucketedFileSink<T> = Sink<T, unknown, unknown>;

/** Throws an `OptionsError` on unknown keys, misspelt modes, bad numbers, an invalid pattern or time zone. */
export function bucketedFileSink<T>(options: BucketedFileSinkOptions<T>): BucketedFileSink<T> {
  validateOptions(bucketedFileSinkOptionsSchema, options, 'bucketedFileSink options');
  // The committer's state after a (re)commit, handed to the writer of the same attempt.
  const announcerAfterCommit = new Map<string, AnnouncerState>();
  const sharedKey = (ctx: SinkContext) => `${ctx.stepName}\u0000${ctx.subtask}`;
  // resolved once, by the first writer or committer (metrics labelled with its step name)
  let opts: ReturnType<typeof resolveOptions<T>> | undefined;
  const get = (ctx: SinkContext) => (opts ??= resolveOptions(options, options.metrics !== undefined ? new FilesMetrics(options.metrics, ctx.stepName) : undefined));

  const sink: Sink<T, FilesCommittable, FilesWriterState> = {
    async createCommitter(ctx) {
      announcerAfterCommit.delete(sharedKey(ctx));
      return new FilesCommitter(get(ctx), ctx, (s) => announcerAfterCommit.set(sharedKey(ctx), s));
    },
    async createWriter(ctx, own, rescale) {
      const o = get(ctx);
      const restored = rescale !== undefined ? rescaledWriterState(rescale, ctx.subtask, ctx.parallelism, o.delayMs) : own;
      const shared = () => announcerAfterCommit.get(sharedKey(ctx));
      const announcer = ctx.subtask === 0 ? (shared() ?? restored?.announcer ?? emptyAnnouncer()) : undefined;
      return new BucketedWriter<T>(o, ctx, restored, announcer, { get: shared });
    },
    async abortLeftovers(ctx, restored) {
      const o = get(ctx);
      // a rescale to fewer instances: this one took over the writer of instance ctx.subtask,
      // which no longer exists; its counts travel in ours now, its progress must not count again
      if (ctx.subtask >= ctx.parallelism) await o.storage.delete(progressFile(ctx.stepName, ctx.subtask));
      const keep = new Set<string>();
      for (const c of restored) {
        for (const p of c.publish) keep.add(`${p.dir}/${p.pending}`);
        for (const m of c.merges) keep.add(`${m.dir}/${m.hidden}`);
      }
      const mine = `.part-${ctx.subtask}-`;
      const myManifest = `${MANIFEST_PREFIX}${ctx.subtask}-`;
      // walk every table directory: zombies may sit in partitions no checkpoint knows
      const dirs: string[] = [];
      const walk = async (dir: string, depth: number): Promise<void> => {
        const entries = await o.storage.list(dir);
        const sub = entries.filter((e) => e.isDirectory && !isHidden(e.name)).map((e) => (dir === '' ? e.name : `${dir}/${e.name}`));
        if (dir !== '') dirs.push(dir);
        if (depth < 8) await forEachLimit(sub, o.concurrency, (d) => walk(d, depth + 1));
      };
      await walk('', 0);
      await forEachLimit(dirs, o.concurrency, async (dir) => {
        const entries = await o.storage.list(dir);
        for (const e of entries) {
          if (e.isDirectory) continue;
          if (e.name.startsWith(myManifest) && e.name.endsWith('.json')) await rollForwardManifest(o.storage, dir, e.name);
        }
        for (const e of entries) {
          if (e.isDirectory || !e.name.startsWith(mine)) continue;
          const path = `${dir}/${e.name}`;
          if (!keep.has(path)) await o.storage.delete(path); // gone already (rolled forward above): delete is a no-op
        }
      });
      // object stores: multipart uploads of part files a crashed writer never completed
      await o.storage.abortUnfinishedWrites?.((path) => path.slice(path.lastIndexOf('/') + 1).startsWith(mine));
    },
  };
  return sink as unknown as BucketedFileSink<T>;
}
