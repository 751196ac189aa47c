/**
 * Request-level fault injection: per API key (and optionally per broker) answer with an error, drop
 * the connection, hold the request until cleared, or add latency. Rules are consulted by every
 * connection before a request runs.
 */

/** How many matching requests a rule applies to. */
export type FaultTimes = number | 'until-cleared';

/** Answer matching requests with an error (or drop the connection when `errorCode` is omitted). */
export interface FailRequestsSpec {
  apiKey: number;
  /** Error code put in the response's top-level/partition error fields; omit to drop the connection instead. */
  errorCode?: number;
  /** Default 1. */
  times?: FaultTimes;
  /** Only requests reaching this broker. */
  brokerId?: number;
  /** Run the request first (its effects happen) and fail only the response: a "lost acknowledgement". */
  afterHandling?: boolean;
}

/** Hold matching requests without answering until `clearFaults()` (then they run normally). */
export interface HangRequestsSpec {
  apiKey: number;
  /** Default 'until-cleared'. */
  times?: FaultTimes;
  brokerId?: number;
}

/** Delay matching requests (all APIs when `apiKey` is omitted). */
export interface LatencySpec {
  apiKey?: number;
  ms: number;
  brokerId?: number;
  /** Default 'until-cleared'. */
  times?: FaultTimes;
}

/** What a connection must do with one request. */
export type FaultMatch =
  | { kind: 'fail'; errorCode?: number; afterHandling: boolean }
  | { kind: 'hang' | 'latency'; wait(signal: AbortSignal): Promise<void> };

interface Rule {
  kind: 'fail' | 'hang' | 'latency';
  apiKey?: number;
  brokerId?: number;
  remaining: number; // Infinity = until cleared
  errorCode?: number;
  afterHandling: boolean;
  ms: number;
}

function count(times: FaultTimes | undefined, dflt: number): number {
  if (times === 'until-cleared') return Infinity;
  return times ?? dflt;
}

export class FaultInjector {
  private rules: Rule[] = [];
  private releaseHung = new Set<() => void>();

  failRequests(spec: FailRequestsSpec): void {
    this.rules.push({ kind: 'fail', apiKey: spec.apiKey, brokerId: spec.brokerId, remaining: count(spec.times, 1), errorCode: spec.errorCode, afterHandling: spec.afterHandling ?? false, ms: 0 });
  }

  hangRequests(spec: HangRequestsSpec): void {
    this.rules.push({ kind: 'hang', apiKey: spec.apiKey, brokerId: spec.brokerId, remaining: count(spec.times, Infinity), afterHandling: false, ms: 0 });
  }

  addLatency(spec: LatencySpec): void {
    this.rules.push({ kind: 'latency', apiKey: spec.apiKey, brokerId: spec.brokerId, remaining: count(spec.times, Infinity), afterHandling: false, ms: spec.ms });
  }

  /** Removes every rule and releases hung requests. */
  clear(): void {
    this.rules = [];
    const release = [...this.releaseHung];
    this.releaseHung.clear();
    for (const r of release) r();
  }

  /** Finds (and consumes one use of) the first rule matching a request; fail beats hang beats latency. */
  match(apiKey: number, brokerId: number): FaultMatch | null {
    if (this.rules.length === 0) return null;
    for (const kind of ['fail', 'hang', 'latency'] as const) {
      const rule = this.rules.find((r) => r.kind === kind && r.remaining > 0 && (r.apiKey === undefined || r.apiKey === apiKey) && (r.brokerId === undefined || r.brokerId === brokerId));
      if (!rule) continue;
      rule.remaining--;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      if (kind === 'fail') return { kind, errorCode: rule.errorCode, afterHandling: rule.afterHandling };
      if (kind === 'hang') return { kind, wait: (signal) => this.hang(signal) };
      return { kind, wait: (signal) => delay(rule.ms, signal) };
    }
    return null;
  }

  private hang(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = (): void => {
        this.releaseHung.delete(release);
        signal.removeEventListener('abort', release);
        resolve();
      };
      this.releaseHung.add(release);
      signal.addEventListener('abort', release, { once: true });
    });
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
