import { MAX_WATERMARK } from './types.js';

/** A split of an aligned source, as reported to the aligner. */
export interface AlignedSplitReport {
  readonly splitId: string;
  readonly watermark: number;
  readonly idle: boolean;
  readonly finished: boolean;
}

/** Identifies a split across the sources of one alignment group. */
export interface SplitRef {
  readonly sourceId: string;
  readonly splitId: string;
}

/** The outcome of one alignment update. `pause` and `resume` are disjoint. */
export interface AlignmentDecision {
  /** The slowest active split's watermark, or undefined when no split is active. */
  readonly minWatermark: number | undefined;
  /** Splits with a watermark above this are paused; MAX_WATERMARK when nothing is held back. */
  readonly maxAllowedWatermark: number;
  /** Splits to pause now (they were running). */
  readonly pause: SplitRef[];
  /** Splits to resume now (they were paused and are back within the drift, finished, or the group has no active split). */
  readonly resume: SplitRef[];
}

interface SplitEntry {
  watermark: number;
  idle: boolean;
  finished: boolean;
}

const refKey = (sourceId: string, splitId: string): string => JSON.stringify([sourceId, splitId]);

/**
 * Split-level watermark alignment for one group (Flink FLIP-182/FLIP-217). Sources of the
 * group report their splits' watermarks every update interval; `decide()` computes the
 * group's minimum over active (non-idle, non-finished) splits and pauses every split whose
 * watermark is above min + maxDrift, resuming paused splits once they are within it again.
 * Idle splits do not hold the group back (but an idle split ahead of the limit is paused
 * so it cannot run further ahead when data comes).
 *
 * The aligner remembers which splits it paused, so each decision contains only changes,
 * and one decision never both pauses and resumes a split.
 */
export class WatermarkAlignment {
  private readonly sources = new Map<string, Map<string, SplitEntry>>();
  private readonly paused = new Map<string, SplitRef>();

  constructor(
    readonly group: string,
    readonly maxDriftMs: number,
  ) {
    if (!Number.isFinite(maxDriftMs) || maxDriftMs < 0) throw new RangeError(`maxDriftMs must be a finite number >= 0, got ${maxDriftMs}`);
  }

  /** Replace everything known about `sourceId`'s splits (splits not listed are gone). */
  report(sourceId: string, splits: Iterable<AlignedSplitReport>): void {
    const entries = new Map<string, SplitEntry>();
    for (const s of splits) entries.set(s.splitId, { watermark: s.watermark, idle: s.idle, finished: s.finished });
    this.sources.set(sourceId, entries);
    this.forgetVanished(sourceId, entries);
  }

  /** The source left the group (finished or cancelled); its paused splits are forgotten. */
  removeSource(sourceId: string): void {
    this.sources.delete(sourceId);
    this.forgetVanished(sourceId, new Map());
  }

  /** Whether the aligner currently holds `splitId` of `sourceId` paused. */
  isPaused(sourceId: string, splitId: string): boolean {
    return this.paused.has(refKey(sourceId, splitId));
  }

  /** All splits currently paused by this aligner. */
  pausedSplits(): SplitRef[] {
    return [...this.paused.values()];
  }

  /** Compute the group's limit and the pause/resume changes since the previous decision. */
  decide(): AlignmentDecision {
    const minWatermark = this.minActiveWatermark();
    const maxAllowedWatermark = minWatermark === undefined ? MAX_WATERMARK : Math.min(MAX_WATERMARK, minWatermark + this.maxDriftMs);
    const pause: SplitRef[] = [];
    const resume: SplitRef[] = [];
    for (const [sourceId, splits] of this.sources) {
      for (const [splitId, split] of splits) {
        const key = refKey(sourceId, splitId);
        const shouldPause = !split.finished && split.watermark > maxAllowedWatermark;
        const isPaused = this.paused.has(key);
        if (shouldPause && !isPaused) {
          const ref = { sourceId, splitId };
          this.paused.set(key, ref);
          pause.push(ref);
        } else if (!shouldPause && isPaused) {
          resume.push(this.paused.get(key)!);
          this.paused.delete(key);
        }
      }
    }
    return { minWatermark, maxAllowedWatermark, pause, resume };
  }

  private minActiveWatermark(): number | undefined {
    let min: number | undefined;
    for (const splits of this.sources.values()) {
      for (const split of splits.values()) {
        if (split.idle || split.finished) continue;
        if (min === undefined || split.watermark < min) min = split.watermark;
      }
    }
    return min;
  }

  private forgetVanished(sourceId: string, current: Map<string, SplitEntry>): void {
    for (const [key, ref] of this.paused) {
      if (ref.sourceId === sourceId && !current.has(ref.splitId)) this.paused.delete(key);
    }
  }
}
