/**
 * Exactly-once JSON-lines files. Records go to a hidden in-progress file; at each barrier the
 * file is closed (fsync) and becomes pending; once the checkpoint completes the committer
 * renames it to its visible name. On restore, the restored checkpoint's pending files are
 * published and every other hidden file of this writer is deleted (zombies of attempts that
 * never completed). File names carry the subtask and a per-attempt base id, so parallel
 * instances and restarted attempts never collide.
 */

import { open, readdir, rename, rm, mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sink, SinkWriter } from './types.js';
import { pathExists } from '../util/path-exists.js';
import { z } from 'zod';
import { fn, schemaFor, strictObject, validateOptions } from '../options/validate.js';

export interface JsonLinesFileSinkOptions<T> {
  dir: string;
  /** Serialise a record (default JSON.stringify). */
  format?: (record: T) => string;
  /** File name prefix (default 'part'). */
  prefix?: string;
}

const optionsSchema = schemaFor<JsonLinesFileSinkOptions<any>>()(
  strictObject({ dir: z.string().min(1), format: fn<(record: any) => string>().optional(), prefix: z.string().min(1).optional() }),
);

export interface FileCommittable {
  pending: string;
  final: string;
}

export function jsonLinesFileSink<T>(o: JsonLinesFileSinkOptions<T>): Sink<T, FileCommittable, null> {
  validateOptions(optionsSchema, o, 'jsonLinesFileSink options');
  const prefix = o.prefix ?? 'part';
  const format = o.format ?? ((r: T) => JSON.stringify(r));
  const hiddenOf = (subtask: number) => `.${prefix}-${subtask}-`;
  return {
    async createWriter(ctx): Promise<SinkWriter<T, FileCommittable>> {
      await mkdir(o.dir, { recursive: true });
      const base = ctx.nextCheckpointId;
      let seq = 0;
      let file: { handle: FileHandle; name: string; chunks: string[]; size: number } | undefined;
      const flush = async () => {
        if (file === undefined || file.chunks.length === 0) return;
        const data = file.chunks.join('');
        file.chunks = [];
        await file.handle.write(data);
      };
      return {
        async write(records) {
          if (file === undefined) {
            const name = `${prefix}-${ctx.subtask}-${base}-${seq++}.jsonl`;
            const handle = await open(join(o.dir, `.${name}.inprogress`), 'w');
            file = { handle, name, chunks: [], size: 0 };
          }
          let s = '';
          for (let i = 0; i < records.length; i++) s += format(records[i]!) + '\n';
          file.chunks.push(s);
          file.size += s.length;
          if (file.size > 1 << 20) await flush();
        },
        async prepareCommit() {
          if (file === undefined) return [];
          await flush();
          await file.handle.sync();
          await file.handle.close();
          const pending = join(o.dir, `.${file.name}.pending`);
          await rename(join(o.dir, `.${file.name}.inprogress`), pending);
          const committable = { pending, final: join(o.dir, file.name) };
          file = undefined;
          return [committable];
        },
        async close() {
          await file?.handle.close();
          file = undefined;
        },
      };
    },
    async createCommitter() {
      return {
        async commit(_id, committables) {
          for (const c of committables) {
            try {
              await rename(c.pending, c.final);
            } catch (err) {
              // already published by an earlier commit of the same checkpoint: idempotent
              if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !(await pathExists(c.final))) throw err;
            }
          }
        },
      };
    },
    async abortLeftovers(ctx) {
      let names: string[];
      try {
        names = await readdir(o.dir);
      } catch {
        return;
      }
      const mine = hiddenOf(ctx.subtask);
      for (const n of names) if (n.startsWith(mine)) await rm(join(o.dir, n), { force: true });
    },
  };
}

