/**
 * Restoring a checkpoint into a pipeline that changed. Step names are the identity of state:
 * a checkpoint holding state of a step the pipeline no longer has would silently lose that
 * state, and a step whose kind changed under the same name would misread it. Both fail the
 * start with the step named, unless dropping state is explicitly allowed (Flink's
 * `allowNonRestoredState`); a changed kind always fails.
 */

import type { StepNode } from '../api/graph.js';
import type { CompletedCheckpoint } from './storage.js';

/** The kind label recorded per step in checkpoint metadata (`keyedProcess:window`, `source`, …). */
export function stepKindLabel(step: StepNode): string {
  return step.kind === 'keyedProcess' ? `keyedProcess:${step.operator ?? 'process'}` : step.kind;
}

export class StateCompatibilityError extends Error {}

export interface CompatibilityResult {
  /** Steps whose state the checkpoint holds but the pipeline does not have (allowed and dropped). */
  dropped: string[];
}

export function checkStateCompatibility(restored: CompletedCheckpoint, steps: readonly StepNode[], allowNonRestoredState: boolean): CompatibilityResult {
  const current = new Map(steps.map((s) => [s.name, stepKindLabel(s)]));
  const { metadata, path } = restored;
  const missing = Object.keys(metadata.steps).filter((name) => !current.has(name));
  const changed: string[] = [];
  for (const [name, kind] of Object.entries(metadata.stepKinds ?? {})) {
    const now = current.get(name);
    if (now !== undefined && now !== kind) changed.push(`'${name}' was ${kind}, is now ${now}`);
  }
  if (changed.length > 0) {
    throw new StateCompatibilityError(
      `cannot restore ${metadata.kind} ${metadata.id} at ${path}: step kind changed under the same name (${changed.join('; ')}). ` +
        'Step names are the identity of state: give the new step a new name (its old state is then not restored, which needs allowNonRestoredState: true).',
    );
  }
  if (missing.length > 0 && !allowNonRestoredState) {
    throw new StateCompatibilityError(
      `cannot restore ${metadata.kind} ${metadata.id} at ${path}: it holds state of step${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} ` +
        'that the pipeline no longer has. Restore the step, or set allowNonRestoredState: true to drop that state.',
    );
  }
  return { dropped: missing };
}
