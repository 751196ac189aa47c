import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir, walk } from '../helpers.js';
import { latestCheckpoint, runChild, type RunChildOptions } from '../support/kill-after-checkpoint.js';

/**
 * The file sink's crash test, parameterised by storage (this package runs it on local disk;
 * `@weir/s3` runs it with checkpoints and files on object storage).
 */
export interface FilesCrashVariant {
  /** In the description, e.g. `S3`. */
  label: string;
  /** Extra environment for the job: `WEIR_CRASH_STORAGE` names a module that builds the checkpoint and file storages. */
  env: () => Record<string, string>;
  /** Highest completed checkpoint id of the job's checkpoint storage (0 when none). */
  latestCheckpoint: (checkpointDir: string) => Promise<number>;
  /** The sink's output as a local directory for the checks (object stores: a copy of what the store holds). */
  outputDir: (outDir: string) => Promise<string>;
  /** A kill comes up to this long after a run's first new checkpoint (default 900 ms; slower stores need longer to announce). */
  killWindowMs?: number;
  /** Records per split each kill adds to the input, so the killed runs cannot reach its end (default 3000). */
  recordsPerKill?: number;
  /** Streams (tables) the job writes (default 20): fewer keep a slow store's checkpoints short. */
  streams?: number;
  timeoutMs?: number;
}

export const LOCAL_STORAGE: FilesCrashVariant = { label: 'local disk', env: () => ({}), latestCheckpoint, outputDir: async (out) => out };

const JOB = fileURLToPath(new URL('./crash-job.ts', import.meta.url));
const KILLS = Number(process.env.WEIR_CRASH_KILLS ?? 5);
const SPLITS = 3;
const RATE = 1000;
// a killed run reads until its first checkpoint plus < 0.9 s at RATE (about 2,000 per split on this
// machine): sized so that KILLS runs cannot reach the end; the final run reads the rest at full speed
const perSplit = (v: FilesCrashVariant) => Number(process.env.WEIR_CRASH_RECORDS ?? Math.max(8000, KILLS * (v.recordsPerKill ?? 3000) + 2000));

/** The child's environment and checkpoint reader for a storage variant. */
function childOptions(v: FilesCrashVariant): RunChildOptions {
  return { env: { ...process.env, ...v.env(), ...(v.streams !== undefined ? { WEIR_CRASH_STREAMS: String(v.streams) } : {}) }, latest: v.latestCheckpoint };
}

export function filesCrashTest(v: FilesCrashVariant): void {
  describe(`bucketed file sink crash safety (${v.label})`, () => {
    it(`SIGKILLed ${KILLS} times: every record once in visible files, no hidden file left, every partition announced once`, async () => {
      const PER_SPLIT = perSplit(v);
      const out = await tempDir();
      const chk = await tempDir();
      const notifications = join(await tempDir(), 'ready.jsonl');
      const args = [out, chk, notifications, String(SPLITS), String(PER_SPLIT), String(RATE)];
      let kills = 0;
      while (kills < KILLS) {
        const r = await runChild(JOB, args, chk, { ...childOptions(v), killAfterMs: Math.floor(Math.random() * (v.killWindowMs ?? 900)) });
        if (r.signal === 'SIGKILL') kills++;
        else if (r.code === 0) break; // finished before the kill: more records would be needed
        else throw new Error(`child failed: ${r.stderr}`);
      }
      expect(kills).toBe(KILLS);
      // killed attempts already announced partitions: the final run must not repeat them
      const announcedBefore = (await readFile(notifications, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
      expect(announcedBefore).toBeGreaterThan(0);
      const last = await runChild(JOB, [...args.slice(0, -1), String(RATE * 50)], chk, childOptions(v));
      expect(last.code, last.stderr).toBe(0);

      const root = await v.outputDir(out);
      const { visible, hidden, dirs } = await walk(root);
      expect(hidden).toEqual([]); // no in-progress, pending, merging file or manifest left
      const seen = new Map<string, number>();
      const partitions = new Set<string>();
      let merged = 0;
      for (const f of visible) {
        if (f.includes('-m')) merged++;
        partitions.add(f.slice(0, f.lastIndexOf('/')));
        for (const line of (await readFile(join(root, f), 'utf8')).split('\n')) {
          if (!line) continue;
          const id = (JSON.parse(line) as { id: string }).id;
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
      }
      const dupes = [...seen].filter(([, n]) => n > 1);
      expect(dupes).toEqual([]);
      expect(seen.size).toBe(SPLITS * PER_SPLIT);
      expect(merged).toBeGreaterThan(0);

      // every partition announced exactly once, per stream in hour order; the empty stream too
      const notes = (await readFile(notifications, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { key: string; value: { stream: string; start: number; recordCount: number; files: string[] } });
      const keys = notes.map((n) => n.key);
      expect(keys.length - new Set(keys).size).toBe(0);
      const quiet = notes.filter((n) => n.value.stream === 'quiet');
      expect(quiet.length).toBeGreaterThan(0);
      expect(new Set(notes.filter((n) => n.value.stream !== 'quiet').map((n) => n.key))).toEqual(partitions);
      for (const d of dirs.filter((d) => d.includes('hour='))) expect(await readFile(join(root, d, '_SUCCESS'), 'utf8')).toContain('"recordCount"');
      const byStream = new Map<string, number[]>();
      for (const n of notes) byStream.set(n.value.stream, [...(byStream.get(n.value.stream) ?? []), n.value.start]);
      for (const [s, starts] of byStream) expect(starts, s).toEqual([...starts].sort((a, b) => a - b));
      const total = notes.reduce((n, x) => n + x.value.recordCount, 0);
      expect(total).toBe(SPLITS * PER_SPLIT);
    }, v.timeoutMs ?? 120_000);
  });
}
