/**
 * Asynchronous per-record calls (lookups, enrichment) with bounded concurrency. The batch is
 * complete before it moves on: a checkpoint never has requests in flight, so nothing in flight
 * needs to be stored. Ordered: the results leave in input order, one emit per batch. Unordered:
 * results leave in completion order, in chunks of what completed since the last chunk (one
 * emit per macrotask turn, not per record), so downstream steps work while slow calls wait;
 * since the batch still completes first, no result passes a later watermark or barrier.
 */

import type { ErrorPolicy } from '../../api/graph.js';
import type { MaybePromise } from '../maybe-async.js';
import { RuntimeNode, type NodeServices } from '../node.js';
import { derivedOrigin, originOf, setOrigin, type BatchOrigin } from '../batch-origin.js';

const FAILED = Symbol('failed');

interface Failure {
  i: number;
  err: unknown;
}

export class AsyncMapNode extends RuntimeNode {
  constructor(
    name: string,
    private readonly fn: (value: any) => Promise<any>,
    private readonly concurrency: number,
    private readonly ordered: boolean,
    services: NodeServices,
    policy: ErrorPolicy,
  ) {
    super(name, 1, services, policy);
  }

  processBatch(_input: number, values: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    this.metrics.recordsIn += values.length;
    return this.ordered ? this.runOrdered(values, timestamps) : this.runUnordered(values, timestamps);
  }

  /** Runs `fn` over `values` with `concurrency` workers; `done(i, result)` is called as each call settles. */
  private async callAll(values: readonly unknown[], done: (i: number, result: unknown, err?: unknown) => void): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < values.length) {
        const i = next++;
        try {
          done(i, await this.fn(values[i]));
        } catch (err) {
          done(i, FAILED, err);
        }
      }
    };
    const workers: Promise<void>[] = [];
    for (let w = 0; w < Math.min(this.concurrency, values.length); w++) workers.push(worker());
    await Promise.all(workers);
  }

  private async runOrdered(values: readonly unknown[], timestamps: readonly number[]): Promise<void> {
    const t0 = performance.now();
    const results = new Array<unknown>(values.length);
    const errors: Failure[] = [];
    await this.callAll(values, (i, result, err) => {
      results[i] = result;
      if (result === FAILED) errors.push({ i, err });
    });
    this.metrics.busyNs += (performance.now() - t0) * 1e6;
    const origin = originOf(values);
    if (errors.length === 0) {
      if (origin !== undefined) setOrigin(results, origin);
      return this.emit(results, timestamps);
    }
    const from: number[] = [];
    for (let i = 0; i < results.length; i++) if (results[i] !== FAILED) from.push(i);
    return this.emitChunk(values, timestamps, origin, from, from.map((i) => results[i]), errors);
  }

  private async runUnordered(values: readonly unknown[], timestamps: readonly number[]): Promise<void> {
    const t0 = performance.now();
    const origin = originOf(values);
    let from: number[] = [];
    let results: unknown[] = [];
    let errors: Failure[] = [];
    let scheduled: ReturnType<typeof setImmediate> | undefined;
    let emitting: Promise<void> = Promise.resolve();
    let failure: { err: unknown } | undefined;
    const flush = () => {
      scheduled = undefined;
      if (from.length === 0 && errors.length === 0) return;
      const chunk = { from, results, errors };
      from = [];
      results = [];
      errors = [];
      // chunks leave one after the other (a downstream emit may wait); the first failure stops the rest
      emitting = emitting
        .then(() => (failure === undefined ? this.emitChunk(values, timestamps, origin, chunk.from, chunk.results, chunk.errors) : undefined))
        .catch((err: unknown) => void (failure ??= { err }));
    };
    await this.callAll(values, (i, result, err) => {
      if (result === FAILED) errors.push({ i, err });
      else {
        from.push(i);
        results.push(result);
      }
      // the calls that complete together (one multi-get's answers) leave together
      scheduled ??= setImmediate(flush);
    });
    this.metrics.busyNs += (performance.now() - t0) * 1e6;
    if (scheduled !== undefined) clearImmediate(scheduled);
    flush();
    await emitting;
    if (failure !== undefined) throw failure.err;
  }

  /** Emits the results of records `from` (indices into `values`) after routing the failures by the error policy. */
  private emitChunk(values: readonly unknown[], timestamps: readonly number[], origin: BatchOrigin | undefined, from: number[], results: unknown[], errors: Failure[]): MaybePromise {
    errors.sort((a, b) => a.i - b.i);
    for (const { i, err } of errors) this.recordFailed(this.name, err, values[i], timestamps[i]!, this.errorPolicy, this.positionIn(values, i));
    const outT = new Array<number>(from.length);
    for (let k = 0; k < from.length; k++) outT[k] = timestamps[from[k]!]!;
    if (origin !== undefined) setOrigin(results, derivedOrigin(origin, from));
    return this.emit(results, outT);
  }
}
