/**
 * Where the records of a batch came from: the source step, the split, and each record's
 * source position. Dead letters and repeated-failure detection need the position of the
 * record that failed, deep in the graph. Rather than carrying a position per record through
 * every step, the origin is attached to the batch array itself (batches are never reused once
 * emitted), so a step looks it up by identity when it needs one — only on failure, or at a
 * timestamp assigner — and nothing is copied on the hot path.
 */

export interface BatchOrigin {
  readonly source: string;
  readonly split: string;
  /** Position of record `i` of the batch, e.g. `{ source, split, offset }`; JSON-serialisable. */
  positionOf(i: number): SourcePosition;
}

/** A record's place in its source: always the source step and split, plus what the source knows (offsets). */
export interface SourcePosition {
  source: string;
  split: string;
  [detail: string]: unknown;
}

const origins = new WeakMap<readonly unknown[], BatchOrigin>();

export function setOrigin(batch: readonly unknown[], origin: BatchOrigin): void {
  origins.set(batch, origin);
}

export function originOf(batch: readonly unknown[]): BatchOrigin | undefined {
  return origins.get(batch);
}

/** The origin of a batch derived record by record from another (`from[i]` = index in the parent batch). */
export function derivedOrigin(parent: BatchOrigin, from: readonly number[]): BatchOrigin {
  return { source: parent.source, split: parent.split, positionOf: (i) => parent.positionOf(from[i]!) };
}

/** A stable key of a position, to recognise the same record across restarts. */
export function positionKey(p: SourcePosition): string {
  return JSON.stringify(p);
}
