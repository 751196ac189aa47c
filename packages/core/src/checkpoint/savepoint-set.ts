/**
 * Restoring across instance counts. Each instance checkpoints on its own; a rescale from N to
 * M instances restores the savepoints of all N old instances (a savepoint set) on every new
 * instance, and each new instance takes its key groups' state, the source splits it now owns
 * and its share of the sinks' committables from them. These checks make a wrong combination a
 * clear error instead of silently lost or duplicated state.
 */

import { RestoreRefusedError } from './restore-choice.js';
import type { CompletedCheckpoint } from './storage.js';

/** Instance count recorded in a checkpoint (1 for checkpoints written before it was recorded). */
export function parallelismOf(cp: CompletedCheckpoint): number {
  return cp.metadata.parallelism ?? 1;
}

/** Refuses a checkpoint written with another number of key groups: they cannot be re-split. */
export function checkMaxParallelism(cp: CompletedCheckpoint, maxParallelism: number): void {
  const written = cp.metadata.maxParallelism;
  if (written !== undefined && written !== maxParallelism) {
    throw new RestoreRefusedError(
      `cannot restore ${cp.metadata.kind} ${cp.metadata.id} at ${cp.path}: it was written with maxParallelism ${written}, the job now has ${maxParallelism}. ` +
        `maxParallelism (the number of key groups) is fixed for a job's life because keyed state is stored per key group: set maxParallelism: ${written}, ` +
        'or start the job fresh (new checkpoint directory, restoreFrom: none) to change it.',
    );
  }
}

/**
 * Orders and checks a savepoint set: one completed checkpoint or savepoint per old instance,
 * subtasks 0..N-1 each exactly once, all of the same job, instance count and key groups.
 */
export function checkSavepointSet(set: readonly CompletedCheckpoint[], jobName: string): CompletedCheckpoint[] {
  if (set.length === 0) throw new RestoreRefusedError('restoreFrom: an empty savepoint set');
  const n = parallelismOf(set[0]!);
  const paths = set.map((c) => c.path).join(', ');
  const bySubtask = new Map<number, CompletedCheckpoint>();
  for (const cp of set) {
    const m = cp.metadata;
    if (m.jobName !== jobName) throw new RestoreRefusedError(`restoreFrom: ${cp.path} belongs to job '${m.jobName}', not '${jobName}'`);
    if (parallelismOf(cp) !== n) throw new RestoreRefusedError(`restoreFrom: the savepoint set mixes runs of ${n} and ${parallelismOf(cp)} instances (${paths})`);
    if (m.maxParallelism !== set[0]!.metadata.maxParallelism) throw new RestoreRefusedError(`restoreFrom: the savepoint set mixes maxParallelism ${set[0]!.metadata.maxParallelism} and ${m.maxParallelism}`);
    const subtask = m.subtask ?? 0;
    if (bySubtask.has(subtask)) throw new RestoreRefusedError(`restoreFrom: two savepoints of instance ${subtask} (${bySubtask.get(subtask)!.path}, ${cp.path}); give one per instance`);
    bySubtask.set(subtask, cp);
  }
  const missing = [...Array(n).keys()].filter((i) => !bySubtask.has(i));
  if (missing.length > 0) {
    throw new RestoreRefusedError(
      `restoreFrom: the savepoint set was written by ${n} instances but lacks instance${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (${paths}). ` +
        'A rescale needs the savepoint of every old instance: the state of their key groups and the positions of their source splits are only there.',
    );
  }
  return [...bySubtask.entries()].sort((a, b) => a[0] - b[0]).map(([, cp]) => cp);
}

/**
 * Refuses restoring one checkpoint of a run of several instances into another instance count
 * or into another instance: only a whole savepoint set can be rescaled.
 */
export function checkSingleRestore(cp: CompletedCheckpoint, subtask: number, parallelism: number): 'plain' | 'rescale' {
  const m = cp.metadata;
  // written before instances were recorded: restored as it is (the pre-key-group behaviour)
  if (m.parallelism === undefined) return 'plain';
  if (m.parallelism === parallelism && (m.subtask ?? 0) === subtask) return 'plain';
  // one old instance: the set is complete
  if (m.parallelism === 1) return 'rescale';
  throw new RestoreRefusedError(
    `cannot restore ${m.kind} ${m.id} at ${cp.path} alone: it was written by instance ${m.subtask ?? 0} of ${m.parallelism}, this is instance ${subtask} of ${parallelism}. ` +
      `To rescale, stop every instance with a savepoint (suspend) and give each new instance all ${m.parallelism} savepoints: restoreFrom: [path0, path1, ...].`,
  );
}
