// S3's rename is a copy, then a delete: a crash in between leaves the source too. The file sink
// must still publish every record once and leave nothing hidden after a restart — for a part's
// publication and for a merge's hidden output.
import { silentLogger, type SinkContext } from '@weir/core';
import { bucketedFileSink, listCommittedFiles, type FileStorage } from '@weir/files';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3FileStorage } from '../src/index.js';
import { startS3, type TestS3 } from './s3-server.js';

let s3: TestS3;
beforeAll(async () => void (s3 = await startS3()));
afterAll(() => s3.close());

interface Ev {
  stream: string;
  id: number;
  ts: number;
}
const T0 = Date.UTC(2024, 4, 1);
const HOUR = 3_600_000;
const DIR = 'a/dt=2024-05-01/hour=00';
const ctx = (o: Partial<SinkContext> = {}): SinkContext => ({ stepName: 'files', subtask: 0, parallelism: 1, restoredCheckpointId: undefined, nextCheckpointId: 1, logger: silentLogger, checkpointIntervalMs: 10_000, checkpointTimeoutMs: 600_000, ...o });

/** The storage, except that one rename whose source matches `crashOn` copies and then "crashes" before its delete. */
function crashingBetweenCopyAndDelete(storage: FileStorage, crashOn: RegExp): FileStorage & { armed: boolean } {
  const s = Object.create(storage) as FileStorage & { armed: boolean };
  s.armed = true;
  s.rename = async (from, to) => {
    if (!s.armed || !crashOn.test(from)) return storage.rename(from, to);
    s.armed = false;
    await storage.writeFile(to, await storage.readFile(from)); // what CopyObject leaves: the target whole, the source still there
    throw new Error('injected crash between copy and delete');
  };
  return s;
}

async function committedIds(storage: FileStorage): Promise<number[]> {
  const ids: number[] = [];
  for (const f of await listCommittedFiles(storage, DIR)) {
    for (const l of Buffer.from(await storage.readFile(`${DIR}/${f}`)).toString('utf8').split('\n')) if (l) ids.push((JSON.parse(l) as Ev).id);
  }
  return ids.sort((a, b) => a - b);
}

describe('a crash between the copy and the delete of a rename on S3', () => {
  for (const [what, crashOn] of [
    ['publishing a part', /\.pending$/],
    ["publishing a merge's output", /\.merging$/],
  ] as const) {
    it(`${what}: a restart publishes every record once and leaves no hidden object`, async () => {
      const base = s3FileStorage(s3.options(`copy-crash-${crashOn.source.replace(/\W/g, '')}/`));
      expect(base.writesAppearOnClose).toBe(true);
      const storage = crashingBetweenCopyAndDelete(base, crashOn);
      const sink = bucketedFileSink<Ev>({ storage, streamOf: (e) => e.stream, timestampOf: (e) => e.ts, merge: { targetBytes: 350 } });
      const committer = await sink.createCommitter(ctx());
      const writer = await sink.createWriter(ctx());
      let id = 0;
      let failed: { cp: number; committables: unknown[] } | undefined;
      for (let cp = 1; cp <= 6 && failed === undefined; cp++) {
        await writer.write(Array.from({ length: 2 }, () => ({ stream: 'a', id: id++, ts: T0 + id })), []);
        if (cp === 6) await writer.onWatermark!(T0 + HOUR); // the hour closes: its small parts merge
        const committables = await writer.prepareCommit(cp);
        await committer.commit(cp, committables).catch((err: Error) => {
          expect(err.message).toContain('injected crash');
          failed = { cp, committables };
        });
      }
      expect(failed).toBeDefined();
      // restore from the failed checkpoint: re-commit (idempotent), then remove leftovers
      const ctx2 = ctx({ restoredCheckpointId: failed!.cp, nextCheckpointId: failed!.cp + 1 });
      await (await sink.createCommitter(ctx2)).commit(failed!.cp, failed!.committables);
      await sink.abortLeftovers!(ctx2, failed!.committables);
      expect(await committedIds(base)).toEqual(Array.from({ length: id }, (_, i) => i));
      const hidden = (await base.list(DIR)).filter((e) => e.name.startsWith('.') || e.name.startsWith('_merge-'));
      expect(hidden).toEqual([]);
    });
  }
});
