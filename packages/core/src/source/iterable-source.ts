/**
 * A source over any iterable or async iterable (a generator, a stream's async iterator,
 * `events.on(...)`, an array). One split, read by subtask 0. A checkpoint stores how many
 * records entered the graph and the position of the last one, and a restored job resumes
 * after it: through `resumeFrom(position)` when given, otherwise by iterating the input again
 * and skipping the records the checkpoint covers — correct only when iterating again yields
 * the same records in the same order (arrays, or an object whose `[Symbol.asyncIterator]()`
 * opens the data anew). Iterators (generator objects) are detected and refused on an
 * in-process restart; other one-shot inputs (a Readable stream) need `resumeFrom`.
 */

import type { PollResult, Source, SourceBatch, SourceReader, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from './types.js';
import { iterableSourceOptionsSchema } from '../options/core-schemas.js';
import { validateOptions } from '../options/validate.js';

/** Options of {@link iterableSource}; `P` is the type of a record's position. */
export interface IterableSourceOptions<T, P = number> {
  /** The position of a record (JSON-serialisable), kept in checkpoints; default: its index in the input. */
  position?: (record: T, index: number) => P;
  /**
   * The records after `position`, for a restored job. Without it the input is iterated again
   * and the checkpointed number of records skipped; an iterator (a generator object) this
   * process already read cannot be resumed that way and fails the start.
   */
  resumeFrom?: (position: P) => AsyncIterable<T> | Iterable<T>;
  /** Most records per batch (default 1000). */
  batchSize?: number;
}

/** The one split of an {@link iterableSource}, as a checkpoint stores it. */
export interface IterableSplit<P = number> extends SourceSplit {
  /** Records of the input that entered the graph. */
  readonly index: number;
  /** Position of the last of them (absent before the first). */
  readonly position?: P;
}

/** A bounded source over an iterable: it ends when the iterator is done. */
export function iterableSource<T, P = number>(input: AsyncIterable<T> | Iterable<T>, options: IterableSourceOptions<T, P> = {}): Source<T, IterableSplit<P>, null> {
  validateOptions(iterableSourceOptionsSchema, options, 'iterableSource options');
  const oneShot = isIterator(input);
  let iterated = false;
  const open = (split: IterableSplit<P>): { iterator: Iterator<T> | AsyncIterator<T>; skip: number } => {
    if (split.index > 0 && options.resumeFrom !== undefined && split.position !== undefined) return { iterator: iteratorOf(options.resumeFrom(split.position)), skip: 0 };
    if (oneShot && iterated) {
      throw new Error('iterableSource: the input is a one-shot iterable this process already read, so a restart cannot re-read it: pass `resumeFrom` or a re-iterable input');
    }
    iterated = true;
    return { iterator: iteratorOf(input), skip: split.index };
  };
  return {
    boundedness: 'bounded',
    createEnumerator: (ctx, restored) => new SingleSplitEnumerator<P>(ctx, restored !== undefined),
    createReader: () => new IterableReader<T, P>(open, options.position ?? ((_r, i) => i as P), options.batchSize ?? 1000),
  };
}

const SPLIT_ID = 'iterable';

class SingleSplitEnumerator<P> implements SplitEnumerator<IterableSplit<P>, null> {
  constructor(
    private readonly ctx: SplitEnumeratorContext<IterableSplit<P>>,
    private readonly restored: boolean,
  ) {}

  async start(): Promise<void> {
    if (!this.restored && this.ctx.subtask === 0) this.ctx.assignSplits([{ id: SPLIT_ID, index: 0 }]);
    this.ctx.signalNoMoreSplits();
  }

  addSplitsBack(splits: IterableSplit<P>[]): void {
    this.ctx.assignSplits(splits);
  }

  snapshotState(): null {
    return null;
  }

  async close(): Promise<void> {}
}

type Next<T> = IteratorResult<T> | 'waiting';

class IterableReader<T, P> implements SourceReader<T, IterableSplit<P>> {
  private iterator: Iterator<T> | AsyncIterator<T> | undefined;
  /** A `next()` still running when the last poll returned: the next poll continues with it. */
  private pending: Promise<IteratorResult<T>> | undefined;
  private index = 0;
  private position: P | undefined;
  private skip = 0;
  private done = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly open: (split: IterableSplit<P>) => { iterator: Iterator<T> | AsyncIterator<T>; skip: number },
    private readonly positionOf: (record: T, index: number) => P,
    private readonly batchSize: number,
  ) {}

  async start(): Promise<void> {}

  addSplits(splits: IterableSplit<P>[]): void {
    for (const split of splits) {
      const { iterator, skip } = this.open(split);
      this.iterator = iterator;
      this.skip = skip;
      // skipped records are counted again as they are passed over
      this.index = split.index - skip;
      this.position = split.position;
    }
    this.wakeup();
  }

  removeSplits(): void {
    this.iterator = undefined;
  }

  async poll(maxWaitMs: number): Promise<PollResult<T, IterableSplit<P>>> {
    if (this.iterator === undefined || this.done) {
      await this.sleep(maxWaitMs);
      return { batches: [] };
    }
    const first = this.index + this.skip;
    const records: T[] = [];
    while (records.length < this.batchSize) {
      // wait for the first record up to maxWaitMs; after it, take only what is ready now
      const next = await this.next(records.length === 0 && this.skip === 0 ? maxWaitMs : 0);
      if (next === 'waiting') break;
      if (next.done === true) {
        this.done = true;
        break;
      }
      const index = this.index++;
      if (this.skip > 0) {
        this.skip--;
        continue;
      }
      records.push(next.value);
      this.position = this.positionOf(next.value, index);
    }
    const batches: SourceBatch<T, IterableSplit<P>>[] = [];
    if (records.length > 0) {
      const state: IterableSplit<P> = { id: SPLIT_ID, index: this.index, ...(this.position !== undefined ? { position: this.position } : {}) };
      batches.push({ splitId: SPLIT_ID, records, splitState: state, positionOf: (i) => ({ index: first + i }) });
    }
    return { batches, ...(this.done ? { finishedSplits: [SPLIT_ID] } : {}) };
  }

  /** The iterator's next result, or 'waiting' when it is not there within `ms` (0: this turn of the event loop). */
  private async next(ms: number): Promise<Next<T>> {
    this.pending ??= Promise.resolve(this.iterator!.next());
    const timer = this.timer(ms);
    try {
      const result = await Promise.race([this.pending, timer.elapsed.then(() => 'waiting' as const)]);
      if (result !== 'waiting') this.pending = undefined;
      return result;
    } finally {
      timer.cancel();
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.timer(ms).elapsed;
  }

  /** Elapses after `ms` (0: after this turn of the event loop) or on `wakeup()`. */
  private timer(ms: number): { elapsed: Promise<void>; cancel: () => void } {
    let cancel = () => {};
    const elapsed = new Promise<void>((resolve) => {
      const t = ms > 0 ? setTimeout(() => cancel(), ms) : undefined;
      const i = ms > 0 ? undefined : setImmediate(() => cancel());
      cancel = () => {
        clearTimeout(t);
        if (i !== undefined) clearImmediate(i);
        if (this.wake === cancel) this.wake = undefined;
        resolve();
      };
      this.wake = cancel;
    });
    return { elapsed, cancel };
  }

  wakeup(): void {
    this.wake?.();
  }

  pauseSplits(): void {}

  resumeSplits(): void {}

  async close(): Promise<void> {
    this.wakeup();
    // a pending next() may never settle (an idle event stream): do not wait for it
    void Promise.resolve(this.iterator?.return?.()).catch(() => undefined);
    this.iterator = undefined;
  }
}

function iteratorOf<T>(input: AsyncIterable<T> | Iterable<T>): Iterator<T> | AsyncIterator<T> {
  return Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]();
}

/** A generator object or any other iterator that is its own iterable can be read only once. */
function isIterator(input: object): boolean {
  return typeof (input as { next?: unknown }).next === 'function';
}
