import { setMaxListeners } from 'node:events';
import type { IsolationLevel, PartitionLogApi } from '../../log/types.js';
import type { ApiHandler, RequestContext } from '../context.js';
import { batchesToLegacy } from '../legacy-records.js';
import { AclOperation } from '../../security/acls.js';
import { ledPartition } from './led-partition.js';

const EMPTY = Buffer.alloc(0);

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes?: number;
  isolationLevel?: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: number; partitionMaxBytes: number }> }>;
}

/** One pass over the requested partitions: the response body, its record bytes and what to wait on. */
interface FetchPass {
  body: any;
  bytes: number;
  failed: boolean;
  waitOn: Array<{ log: PartitionLogApi; offset: number }>;
}

/**
 * Fetch v0-12 (v12: flexible, topics by name) with long polling across all requested partitions: answers as soon as `minBytes` are
 * available, `maxWaitMs` passes, or a partition errors. Fetch sessions are disabled (sessionId 0).
 * v0-3 responses carry legacy message sets converted from the stored batches.
 */
export const fetch: ApiHandler = {
  apiKey: 1,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, req: FetchRequest) {
    const isolation: IsolationLevel = ctx.apiVersion >= 4 && req.isolationLevel === 1 ? 1 : 0;
    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    for (;;) {
      const pass = readOnce(ctx, req, isolation);
      const remaining = deadline - Date.now();
      if (pass.bytes >= Math.max(1, req.minBytes) || pass.failed || remaining <= 0 || ctx.connection.signal.aborted || !ctx.cluster.isRunning || pass.waitOn.length === 0) {
        return pass.body;
      }
      await waitForAny(pass.waitOn, remaining, isolation, ctx.connection.signal);
    }
  },
  errorBody: (req: FetchRequest, errorCode) => ({
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => partitionError(p.partition, errorCode)) })),
  }),
};

function readOnce(ctx: RequestContext, req: FetchRequest, isolation: IsolationLevel): FetchPass {
  const { apiVersion } = ctx;
  let budget = apiVersion >= 3 && req.maxBytes !== undefined && req.maxBytes > 0 ? req.maxBytes : 0x7fffffff;
  let bytes = 0;
  let failed = false;
  const waitOn: FetchPass['waitOn'] = [];
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const partition = ledPartition(ctx, t.topic, p.partition, AclOperation.READ);
      if (typeof partition === 'number') return (failed = true), partitionError(p.partition, partition);
      const log = partition.log;
      // The first partition with data may exceed the budget by one batch (Kafka's "at least one batch").
      const maxBytes = budget > 0 ? Math.min(p.partitionMaxBytes, budget) : 0;
      const result = maxBytes > 0 ? log.read(p.fetchOffset, maxBytes, isolation) : null;
      if (result && result.errorCode !== 0) {
        failed = true;
        return { ...partitionError(p.partition, result.errorCode), highWatermark: result.highWatermark, lastStableOffset: result.lastStableOffset, logStartOffset: result.logStartOffset };
      }
      let records = result?.records ?? EMPTY;
      // Below minBytes the long poll waits for data past what this pass returns.
      if (result) waitOn.push({ log, offset: result.nextOffset });
      if (apiVersion < 4 && records.length > 0) records = batchesToLegacy(records, apiVersion);
      bytes += records.length;
      budget -= records.length;
      return {
        partitionIndex: p.partition,
        errorCode: 0,
        highWatermark: log.highWatermark(),
        lastStableOffset: log.lastStableOffset(),
        logStartOffset: log.logStartOffset(),
        abortedTransactions: isolation === 1 ? (result?.abortedTransactions ?? []) : null,
        preferredReadReplica: -1,
        records,
      };
    }),
  }));
  return { body: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses }, bytes, failed, waitOn };
}

/** Resolves when any partition gets readable data, the time is up or the connection closes. */
async function waitForAny(waitOn: FetchPass['waitOn'], timeoutMs: number, isolation: IsolationLevel, signal: AbortSignal): Promise<void> {
  const done = new AbortController();
  // one listener per partition waited on: a fetch of many partitions is not a leak
  setMaxListeners(0, done.signal);
  const onAbort = (): void => done.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race(waitOn.map((w) => w.log.waitForData(w.offset, timeoutMs, done.signal, isolation)));
  } finally {
    signal.removeEventListener('abort', onAbort);
    done.abort(); // release the other partitions' waiters and timers
  }
}

function partitionError(partitionIndex: number, errorCode: number): any {
  return { partitionIndex, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY };
}
