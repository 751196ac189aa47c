/** Union (and the job-wide dead-letter stream): merges inputs; the base class min-combines watermarks and aligns barriers. */

import type { MaybePromise } from '../maybe-async.js';
import { RuntimeNode } from '../node.js';

export class UnionNode extends RuntimeNode {
  processBatch(_input: number, values: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    this.metrics.recordsIn += values.length;
    return this.emit(values, timestamps);
  }
}
