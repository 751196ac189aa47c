/** What the exchange tests share: the orders they route, the window sums one instance would compute, waiting and cleanup. */

export interface Order {
  id: number;
  customer: string;
  amount: number;
  ts: number;
}

export const BASE = 1_700_000_000_000;
export const WINDOW = 1000;

/** Orders `from`..`to`-1: 23 customers, 37 ms of event time apart. */
export function orders(from: number, to: number): Order[] {
  return Array.from({ length: to - from }, (_, k) => {
    const id = from + k;
    return { id, customer: `c${(id * 7) % 23}`, amount: (id % 11) + 1, ts: BASE + id * 37 };
  });
}

/** Tumbling-window sums (`customer@start`) one instance computes over `all`: only windows ending at or before `closedBy`. */
export function windowSums(all: readonly Order[], closedBy = Number.POSITIVE_INFINITY): Map<string, number> {
  const sums = new Map<string, number>();
  for (const o of all) {
    const start = o.ts - (o.ts % WINDOW);
    if (start + WINDOW > closedBy) continue;
    const k = `${o.customer}@${start}`;
    sums.set(k, (sums.get(k) ?? 0) + o.amount);
  }
  return sums;
}

export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Run by each test file's afterEach, newest first. */
export const cleanups: Array<() => Promise<unknown>> = [];

export async function runCleanups(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
}
