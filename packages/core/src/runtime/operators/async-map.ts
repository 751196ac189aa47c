/**
 * Asynchronous per-record calls (lookups, enrichment) with bounded concurrency. The batch is
 * complete, in input order, before it moves on: one await per batch, and a checkpoint never
 * has requests in flight, so nothing in flight needs to be stored.
 */

import type { ErrorPolicy } from '../../api/graph.js';
import type { MaybePromise } from '../maybe-async.js';
import { RuntimeNode, type NodeServices } from '../node.js';
import { derivedOrigin, originOf, setOrigin } from '../batch-origin.js';

const FAILED = Symbol('failed');

export class AsyncMapNode extends RuntimeNode {
  constructor(
    name: string,
    private readonly fn: (value: any) => Promise<any>,
    private readonly concurrency: number,
    services: NodeServices,
    policy: ErrorPolicy,
  ) {
    super(name, 1, services, policy);
  }

  processBatch(_input: number, values: readonly unknown[], timestamps: readonly number[]): MaybePromise {
    this.metrics.recordsIn += values.length;
    return this.run(values, timestamps);
  }

  private async run(values: readonly unknown[], timestamps: readonly number[]): Promise<void> {
    const t0 = performance.now();
    const results = new Array<unknown>(values.length);
    const errors: Array<{ i: number; err: unknown }> = [];
    let next = 0;
    const worker = async () => {
      while (next < values.length) {
        const i = next++;
        try {
          results[i] = await this.fn(values[i]);
        } catch (err) {
          results[i] = FAILED;
          errors.push({ i, err });
        }
      }
    };
    const workers: Promise<void>[] = [];
    for (let w = 0; w < Math.min(this.concurrency, values.length); w++) workers.push(worker());
    await Promise.all(workers);
    errors.sort((a, b) => a.i - b.i);
    for (const { i, err } of errors) this.recordFailed(this.name, err, values[i], timestamps[i]!, this.errorPolicy, this.positionIn(values, i));
    this.metrics.busyNs += (performance.now() - t0) * 1e6;
    const origin = originOf(values);
    if (errors.length === 0) {
      if (origin !== undefined) setOrigin(results, origin);
      return this.emit(results, timestamps);
    }
    const outV: unknown[] = [];
    const outT: number[] = [];
    const from: number[] = [];
    for (let i = 0; i < results.length; i++) {
      if (results[i] === FAILED) continue;
      outV.push(results[i]);
      outT.push(timestamps[i]!);
      from.push(i);
    }
    if (origin !== undefined) setOrigin(outV, derivedOrigin(origin, from));
    return this.emit(outV, outT);
  }
}
