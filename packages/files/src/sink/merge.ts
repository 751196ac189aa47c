/**
 * The crash-safe merge protocol (see the README, "Merging small files"). Per plan, in the
 * commit phase of the checkpoint that recorded the plan:
 *
 * 1. write the merged file under a hidden name (`.part-…-mK.jsonl.merging`), fsync;
 * 2. write the manifest `_merge-….json` {output, inputs} atomically (hidden tmp + rename);
 * 3. rename the merged file to its visible name;
 * 4. delete the inputs (visible ones and never-published pending ones);
 * 5. delete the manifest.
 *
 * A reader that lists a partition with {@link listCommittedFiles} ignores the inputs of every
 * manifest whose output is visible, so between 3 and 4 it sees the output only, before 3 the
 * inputs only: never both, never neither. Every step is idempotent and the state on storage
 * tells which step is next, so a restart redoes the plan from the restored committable.
 */

import type { BulkFormat } from '../format/types.js';
import type { FileStorage } from '../storage/types.js';
import { isHidden, MANIFEST_PREFIX, type MergePlan } from './model.js';

export type MergeStep = 'hidden-written' | 'manifest-written' | 'renamed' | 'inputs-deleted' | 'done';

/** Called after each step (tests inject crashes and list partitions here). */
export type MergeHook = (step: MergeStep, plan: MergePlan) => void | Promise<void>;

export async function executeMerge<T>(storage: FileStorage, format: BulkFormat<T>, plan: MergePlan, hook?: MergeHook): Promise<void> {
  const at = (name: string) => `${plan.dir}/${name}`;
  const manifest = at(plan.manifest);
  const allInputs = [...plan.inputs, ...plan.pendingInputs];
  if (!(await storage.exists(at(plan.output)))) {
    if (!(await storage.exists(manifest))) {
      // steps 1-2 not done. If an input is gone the plan already completed earlier.
      for (const input of allInputs) if (!(await storage.exists(at(input)))) return;
      await format.merge(storage, [...plan.inputs.map(at), ...plan.pendingInputs.map(at)], at(plan.hidden));
      await hook?.('hidden-written', plan);
      const tmp = at(`${plan.hidden}.manifest-tmp`); // `.part-<subtask>-…`: zombie cleanup covers it
      await storage.writeFile(tmp, JSON.stringify({ output: plan.output, inputs: plan.inputs } satisfies Manifest));
      await storage.rename(tmp, manifest);
      await hook?.('manifest-written', plan);
    }
    await storage.rename(at(plan.hidden), at(plan.output));
    await hook?.('renamed', plan);
  }
  // a rename that copies may have left the hidden source (crash between copy and delete)
  await storage.delete(at(plan.hidden));
  for (const input of allInputs) await storage.delete(at(input));
  await hook?.('inputs-deleted', plan);
  await storage.delete(manifest);
  await hook?.('done', plan);
}

/**
 * Finish a manifest found on storage without its plan (restore): the manifest exists only
 * once the merged file is complete, so rolling forward is always safe.
 */
export async function rollForwardManifest(storage: FileStorage, dir: string, manifestName: string): Promise<void> {
  const m = await readManifest(storage, `${dir}/${manifestName}`);
  if (m === undefined) return;
  const hidden = `.${m.output}.merging`;
  if (!(await storage.exists(`${dir}/${m.output}`))) {
    if (!(await storage.exists(`${dir}/${hidden}`))) return; // nothing to roll forward with: keep the inputs
    await storage.rename(`${dir}/${hidden}`, `${dir}/${m.output}`);
  }
  await storage.delete(`${dir}/${hidden}`); // left by a copying rename that crashed before its delete
  for (const input of m.inputs) await storage.delete(`${dir}/${input}`);
  await storage.delete(`${dir}/${manifestName}`);
}

/**
 * The committed files of a partition directory as a reader must see them: visible names,
 * minus the inputs of an in-flight merge whose output is already visible. A reader that gets
 * ENOENT reading a listed file lost a race with step 4 and lists again.
 */
export async function listCommittedFiles(storage: FileStorage, dir: string): Promise<string[]> {
  const entries = await storage.list(dir);
  const visible = new Set(entries.filter((e) => !e.isDirectory && !isHidden(e.name)).map((e) => e.name));
  for (const e of entries) {
    if (!e.name.startsWith(MANIFEST_PREFIX) || !e.name.endsWith('.json')) continue;
    const m = await readManifest(storage, `${dir}/${e.name}`);
    if (m === undefined) continue; // deleted meanwhile: its inputs are gone too
    if (visible.has(m.output)) for (const i of m.inputs) visible.delete(i);
  }
  return [...visible].sort();
}

/** What a merge manifest on storage holds. */
interface Manifest {
  output: string;
  inputs: string[];
}

/** The manifest at `path`, or undefined when it is gone (or unreadable). */
async function readManifest(storage: FileStorage, path: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(Buffer.from(await storage.readFile(path)).toString('utf8')) as Manifest;
  } catch {
    return undefined;
  }
}
