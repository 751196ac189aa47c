/**
 * Helpers for code that is synchronous on the hot path and only sometimes async
 * (a state prefetch that missed the cache, a sink that applies backpressure). They avoid
 * allocating a promise when every step completed synchronously.
 */

export type MaybePromise<T = void> = T | Promise<T>;

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** Run `fn(item)` for each item in order; await only the steps that returned a promise. */
export function eachInOrder<T>(items: readonly T[], fn: (item: T) => MaybePromise): MaybePromise {
  for (let i = 0; i < items.length; i++) {
    const r = fn(items[i]!);
    if (isPromise(r)) return continueAsync(items, fn, i + 1, r);
  }
  return undefined;
}

async function continueAsync<T>(items: readonly T[], fn: (item: T) => MaybePromise, from: number, pending: Promise<void>): Promise<void> {
  await pending;
  for (let i = from; i < items.length; i++) await fn(items[i]!);
}

/** `then` that stays synchronous for synchronous values. */
export function andThen<T, U>(value: MaybePromise<T>, fn: (v: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise(value) ? value.then(fn) : fn(value);
}
