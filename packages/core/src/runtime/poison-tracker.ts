/**
 * A record that fails the job every time it is processed would restart the job forever. The
 * tracker counts attempt failures by the source position of the failing record; once the
 * same position failed `limit` times, the next attempt sends that record to the dead letters
 * instead of processing it (policy 'dead-letter'), or the job gives up (policy 'fail').
 */

import type { ErrorPolicy } from '../api/graph.js';
import { positionKey, type SourcePosition } from './batch-origin.js';
import { errorText, StepError } from './node.js';

/** A record the next attempt skips at its source, into the dead letters. */
export interface PoisonSkip {
  position: SourcePosition;
  key: string;
  step: string;
  error: string;
  failures: number;
}

export interface FailureVerdict {
  /** The next attempt skips the record. */
  skip: boolean;
  /** Policy 'fail': stop restarting. */
  giveUp: boolean;
  count: number;
  /** Step and position, for the log. */
  at?: { step: string; position: SourcePosition };
}

export class PoisonTracker {
  private readonly failures = new Map<string, PoisonSkip>();
  private readonly skipping = new Map<string, PoisonSkip>();

  constructor(private readonly limit: number) {}

  onFailure(err: unknown, policy: ErrorPolicy): FailureVerdict {
    if (!(err instanceof StepError) || err.position === undefined) return { skip: false, giveUp: false, count: 0 };
    const key = positionKey(err.position);
    const entry = this.failures.get(key) ?? { position: err.position, key, step: err.step, error: errorText(err.causeError), failures: 0 };
    entry.failures++;
    entry.error = errorText(err.causeError);
    this.failures.set(key, entry);
    const at = { step: err.step, position: err.position };
    if (entry.failures < this.limit) return { skip: false, giveUp: false, count: entry.failures, at };
    if (policy === 'fail') return { skip: false, giveUp: true, count: entry.failures, at };
    this.skipping.set(key, entry);
    return { skip: true, giveUp: false, count: entry.failures, at };
  }

  /** Records every later attempt skips. */
  skips(): PoisonSkip[] {
    return [...this.skipping.values()];
  }
}
