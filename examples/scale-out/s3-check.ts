/**
 * The object-store side of the scale-out check: read the file sink's table back as a reader
 * would (committed files only, through a fresh `s3FileStorage`), and gather what the run left
 * on the store (checkpoints, savepoints, hidden files) for the final report.
 */

import { listCommittedFiles } from '@weir/files';
import { s3FileStorage, type S3Options } from '@weir/s3';
import type { TestS3 } from '../../packages/s3/test/s3-server.js';
import { SUMS_TABLE, TABLES_PREFIX, type WindowSum } from './shared.js';

export interface TableRead {
  rows: WindowSum[];
  /** Committed part files read. */
  files: number;
  /** Committed part files per writing instance (`part-<subtask>-<checkpoint>-<seq>`). */
  bySubtask: Record<string, number>;
}

/** Every row of every committed file of the sums table (all partitions). */
export async function readTable(options: S3Options): Promise<TableRead> {
  const storage = s3FileStorage(options);
  const out: TableRead = { rows: [], files: 0, bySubtask: {} };
  const visit = async (dir: string): Promise<void> => {
    for (const e of await storage.list(dir)) if (e.isDirectory && !/^[._]/.test(e.name)) await visit(`${dir}/${e.name}`);
    for (const name of await listCommittedFiles(storage, dir)) {
      const text = Buffer.from(await storage.readFile(`${dir}/${name}`)).toString('utf8');
      for (const line of text.split('\n')) if (line.trim() !== '') out.rows.push(JSON.parse(line) as WindowSum);
      out.files++;
      const subtask = /^part-(\d+)-/.exec(name)?.[1] ?? 'other';
      out.bySubtask[subtask] = (out.bySubtask[subtask] ?? 0) + 1;
    }
  };
  await visit(SUMS_TABLE);
  return out;
}

export interface Restore {
  instance: number;
  kind: string;
  path: string;
}

/**
 * What the run keeps on the store, checked: every restore and savepoint is an `s3://` path,
 * the completed checkpoints and savepoints are there; hidden table files are listed (readers
 * skip them; leftovers of retired instances must not block anything).
 */
export async function storeFacts(client: TestS3['client'], prefix: string, restores: readonly Restore[], savepoints: readonly string[]) {
  const notOnS3 = [...restores.map((r) => r.path), ...savepoints].filter((p) => !p.startsWith(`s3://`));
  if (notOnS3.length > 0) throw new Error(`restored or saved outside the object store: ${notOnS3.join(', ')}`);
  const keys = (await client.list(`${prefix}checkpoints/`)).objects;
  const metadata = keys.filter((o) => o.key.endsWith('/_metadata.json')).map((o) => o.key);
  const stored = { checkpoints: metadata.filter((k) => /\/chk-\d+\/_metadata\.json$/.test(k)).length, savepoints: metadata.filter((k) => /\/savepoints\/sp-\d+\/_metadata\.json$/.test(k)).length };
  for (const sp of savepoints) {
    if (!metadata.some((k) => sp.endsWith(k.slice(0, -'/_metadata.json'.length)))) throw new Error(`savepoint ${sp} has no metadata on the store`);
  }
  return {
    checkpointsStored: { ...stored, objects: keys.length, bytes: keys.reduce((n, o) => n + o.size, 0) },
    savepointsUsed: savepoints.length,
    // instance <- the checkpoint or savepoint it restored (the newest of a savepoint set)
    restores: restores.map((r) => `${r.instance} <- ${r.path.slice(r.path.indexOf('/checkpoints/') + '/checkpoints/'.length)}`),
    hiddenTableObjects: await hiddenTableObjects(client, prefix),
  };
}

/** Keys (under the tables prefix) of the table's hidden objects: pending parts, merge manifests, the writers' progress files. */
export async function hiddenTableObjects(client: TestS3['client'], prefix: string): Promise<string[]> {
  const keys = (await client.list(prefix + TABLES_PREFIX)).objects.map((o) => o.key.slice(prefix.length + TABLES_PREFIX.length));
  return keys.filter((k) => k.split('/').some((part) => /^[._]/.test(part)));
}
