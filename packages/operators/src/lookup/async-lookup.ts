/**
 * Async lookup (async I/O) for `stream.asyncMap(name, lookup.fn, { concurrency })`: per-record
 * calls made while one input batch is in flight are collected and sent as ONE multi-get of their
 * distinct, uncached keys (flushed on the next microtask, at most `maxBatch` keys per call), with a
 * timeout, retries with fixed or exponential backoff, and an LRU cache with TTL in front.
 *
 * Capacity and backpressure are core's `asyncMap` concurrency: at most that many records wait on
 * lookups, and a batch is complete before the next enters. Ordered or unordered output is the
 * `asyncMap` option `order` (unordered: each multi-get's records leave as it answers). Exactly-once
 * across SIGKILL: a checkpoint never has lookups in flight (the batch completes first), so a
 * restored job re-runs the lookups of the records after the checkpoint; the output is exactly once,
 * with lookup values as of the re-run. The cache is not checkpointed (it refills).
 */

import { LruCache } from './lru-cache.js';
import { realClock, withRetry, type RetryClock, type RetryPolicy } from './retry.js';

export interface AsyncLookupOptions<T, K, V, O> {
  keyOf: (record: T) => K;
  /** Values of `keys` (same order; undefined = not found). */
  multiGet: (keys: K[]) => Promise<ReadonlyArray<V | undefined>>;
  combine: (record: T, value: V | undefined) => O;
  /** Most keys per multi-get (default 256). */
  maxBatch?: number;
  /** Per attempt (default none). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** LRU cache of found and not-found values. */
  cache?: { size: number; ttlMs: number };
  /** Tests: clock for the cache TTL, and sleep/timeout for retries. */
  now?: () => number;
  clock?: RetryClock;
}

export interface LookupStats {
  records: number;
  /** multi-get calls, retries included. */
  calls: number;
  keysRequested: number;
  cacheHits: number;
  /** Calls made again after a failed attempt (`calls` includes them). */
  retries: number;
  /** Attempts that failed because they took longer than `timeoutMs`. */
  timeouts: number;
  /** Multi-gets that failed for good (their records went to the dead letters). */
  failedCalls: number;
}

export interface AsyncLookup<T, O> {
  /** Pass to `asyncMap`. */
  readonly fn: (record: T) => Promise<O>;
  readonly stats: LookupStats;
}

interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(err: unknown): void;
}

export function asyncLookup<T, K, V, O>(options: AsyncLookupOptions<T, K, V, O>): AsyncLookup<T, O> {
  const maxBatch = options.maxBatch ?? 256;
  const clock = options.clock ?? realClock;
  const cache = options.cache === undefined ? undefined : new LruCache<K, V | undefined>(options.cache.size, options.cache.ttlMs, options.now ?? Date.now);
  const stats: LookupStats = { records: 0, calls: 0, keysRequested: 0, cacheHits: 0, retries: 0, timeouts: 0, failedCalls: 0 };
  let pending = new Map<K, Array<Waiter<V>>>();
  let scheduled = false;

  const send = async (keys: K[], waiters: Array<Array<Waiter<V>>>): Promise<void> => {
    try {
      const values = await withRetry(
        () => {
          stats.calls++;
          return options.multiGet(keys);
        },
        options.retry ?? { maxAttempts: 1 },
        options.timeoutMs,
        clock,
        stats,
      );
      keys.forEach((k, i) => {
        cache?.set(k, values[i]);
        for (const w of waiters[i]!) w.resolve(values[i]);
      });
    } catch (err) {
      stats.failedCalls++;
      for (const ws of waiters) for (const w of ws) w.reject(err);
    }
  };

  const flush = (): void => {
    scheduled = false;
    const batch = pending;
    pending = new Map();
    let keys: K[] = [];
    let waiters: Array<Array<Waiter<V>>> = [];
    for (const [k, ws] of batch) {
      keys.push(k);
      waiters.push(ws);
      if (keys.length === maxBatch) {
        void send(keys, waiters);
        keys = [];
        waiters = [];
      }
    }
    stats.keysRequested += batch.size;
    if (keys.length > 0) void send(keys, waiters);
  };

  const cachedOrPending = (key: K): Promise<V | undefined> | { value: V | undefined } => {
    const hit = cache?.lookup(key);
    if (hit !== undefined) {
      stats.cacheHits++;
      return hit;
    }
    return new Promise<V | undefined>((resolve, reject) => {
      const ws = pending.get(key);
      if (ws === undefined) pending.set(key, [{ resolve, reject }]);
      else ws.push({ resolve, reject });
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush); // the calls asyncMap starts in one go share a multi-get
      }
    });
  };

  return {
    stats,
    fn: async (record) => {
      stats.records++;
      const v = cachedOrPending(options.keyOf(record));
      return options.combine(record, v instanceof Promise ? await v : v.value);
    },
  };
}
