/** What the core and files crash suites need to run on the test's S3-compatible store. */

import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestS3 } from '../s3-server.js';

const STORAGE_MODULE = fileURLToPath(new URL('./crash-storage.ts', import.meta.url));

/** Environment for a crash job: its storages under `<test prefix><sub>`. */
export function crashEnv(s3: TestS3, sub: string): Record<string, string> {
  return { WEIR_CRASH_STORAGE: STORAGE_MODULE, WEIR_CRASH_S3: JSON.stringify(s3.options(sub)) };
}

/**
 * Highest checkpoint id whose metadata object exists under the job's checkpoint prefix (polled
 * often: on s3rver read from its data directory, so the poll does not load the server).
 */
export async function latestS3Checkpoint(s3: TestS3, sub: string, checkpointDir: string): Promise<number> {
  const local = s3.localDir(`${sub}${basename(checkpointDir)}`);
  if (local !== undefined) {
    let best = 0;
    for (const name of await readdir(local).catch(() => [] as string[])) {
      const id = Number(/^chk-(\d+)$/.exec(name)?.[1] ?? 0);
      if (id > best && (await stat(join(local, name, '_metadata.json._S3rver_object')).then(() => true, () => false))) best = id;
    }
    return best;
  }
  const base = `${s3.prefix}${sub}${basename(checkpointDir)}/`;
  const { objects } = await s3.client.list(base);
  let best = 0;
  for (const o of objects) {
    const m = /^chk-(\d+)\/_metadata\.json$/.exec(o.key.slice(base.length));
    if (m !== null) best = Math.max(best, Number(m[1]));
  }
  return best;
}
