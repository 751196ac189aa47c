/**
 * Which checkpoint a job starts from. Decided at every start — first start, in-process
 * restart, or a new process after a crash — from the job's own storage first: the newest
 * completed checkpoint or savepoint there is the point whose output is committed, so any
 * older point would re-emit committed output. A configured `restoreFrom` path only seeds a
 * fresh storage (a first start from a savepoint), never overrides a newer point.
 */

import type { CompletedCheckpoint } from './storage.js';

export interface RestoreChoiceInput {
  /** The newest completed checkpoint or savepoint in the job's storage. */
  storageNewest: CompletedCheckpoint | undefined;
  /** The `restoreFrom` option: 'latest', 'none', or the checkpoint it names, loaded. */
  configured: 'latest' | 'none' | CompletedCheckpoint;
  /** Restoring from a drained checkpoint was explicitly allowed. */
  allowRestoreAfterDrain: boolean;
}

export interface RestoreChoice {
  checkpoint: CompletedCheckpoint | undefined;
  /** For the log and `status()`: why this point (or a fresh start). */
  reason: string;
}

/** Refused restore: the message says why and how to start fresh. */
export class RestoreRefusedError extends Error {}

export function chooseRestore(input: RestoreChoiceInput): RestoreChoice {
  const { storageNewest, configured } = input;
  let choice: RestoreChoice;
  if (typeof configured === 'object') {
    const storageIsNewer = storageNewest !== undefined && isNewer(storageNewest, configured);
    choice = storageIsNewer
      ? { checkpoint: storageNewest, reason: `newest in the job's storage (newer than the configured restoreFrom ${configured.path}, id ${configured.metadata.id})` }
      : { checkpoint: configured, reason: 'the configured restoreFrom (the storage holds nothing newer)' };
  } else {
    choice = storageNewest !== undefined ? { checkpoint: storageNewest, reason: "newest in the job's storage" } : { checkpoint: undefined, reason: 'no checkpoint in storage' };
  }
  const chosen = choice.checkpoint;
  if (chosen?.metadata.drained === true && !input.allowRestoreAfterDrain) {
    throw new RestoreRefusedError(
      `refusing to restore ${chosen.metadata.kind} ${chosen.metadata.id} at ${chosen.path}: it is the final checkpoint of a drain, ` +
        'which already fired every window and timer with the MAX watermark, so restoring it would emit those results again. ' +
        'A drain ends a job for good; to run the job again from scratch give it a new, empty checkpoint directory, ' +
        'or set allowRestoreAfterDrain: true if re-emitted results are acceptable. To stop for an upgrade, use mode: suspend.',
    );
  }
  return choice;
}

/** Ids only grow across checkpoints and savepoints of a storage (and continue from a restored one). */
function isNewer(a: CompletedCheckpoint, b: CompletedCheckpoint): boolean {
  if (a.path === b.path) return false;
  if (a.metadata.id !== b.metadata.id) return a.metadata.id > b.metadata.id;
  return a.metadata.createdAtMs > b.metadata.createdAtMs;
}
