/**
 * Broadcast configuration switched at checkpoint barriers. A {@link BroadcastValue} holds the
 * value every step reads and, at most, one pending successor. `propose` only records the
 * successor; the runtime switches every pending value inside the mailbox action that injects a
 * checkpoint's barriers, so all steps and all splits change version at the same cut of the
 * stream (a broadcast, not a race).
 */

/** Stages a new value of a broadcast (see {@link BroadcastValue.propose}). */
export type ProposeFn<T> = (next: T) => void;

/** Options of `pipeline.broadcast()`. */
export interface BroadcastOptions<T> {
  /**
   * Started when the job starts: call `propose` whenever the configuration changes (e.g. from a
   * file watcher). Returns a stop function, called when the job ends.
   */
  watch?: (propose: ProposeFn<T>) => () => void;
}

/**
 * A value broadcast to every step, e.g. a configuration of rules. Steps read `current()` while
 * they process a batch; it changes only between mailbox actions, at a checkpoint barrier (or, with
 * periodic checkpoints disabled, on a timer), so a batch never sees two versions.
 */
export interface BroadcastValue<T> {
  /** Unique name in the pipeline (its version is recorded under it in checkpoint metadata). */
  readonly name: string;
  /** The value in effect. */
  current(): T;
  /** Version of the value in effect: 0 for the initial value, +1 per switch. */
  version(): number;
  /**
   * Stage `next`; it takes effect at the next barrier. Proposing again before that replaces the
   * staged value. Safe to call at any time: it records the value and touches no operator.
   */
  propose(next: T): void;
  /** Whether a proposed value waits for the next switch. */
  hasPending(): boolean;
}

/** What the runtime needs of a broadcast value. */
export interface SwitchableBroadcast {
  readonly name: string;
  version(): number;
  hasPending(): boolean;
  /** Make the pending value current; returns whether anything changed. Mailbox actions only. */
  switchPending(): boolean;
  /** Start the `watch` option (job start); returns its stop function. */
  startWatch(): () => void;
}

const NONE: unique symbol = Symbol('none');

/** The implementation behind `pipeline.broadcast()`. */
export class BroadcastCell<T> implements BroadcastValue<T>, SwitchableBroadcast {
  private value: T;
  private pending: T | typeof NONE = NONE;
  private ver = 0;

  constructor(
    readonly name: string,
    initial: T,
    private readonly options: BroadcastOptions<T> = {},
  ) {
    this.value = initial;
  }

  current(): T {
    return this.value;
  }

  version(): number {
    return this.ver;
  }

  propose(next: T): void {
    this.pending = next;
  }

  hasPending(): boolean {
    return this.pending !== NONE;
  }

  switchPending(): boolean {
    if (this.pending === NONE) return false;
    this.value = this.pending;
    this.pending = NONE;
    this.ver++;
    return true;
  }

  startWatch(): () => void {
    const watch = this.options.watch;
    if (watch === undefined) return () => undefined;
    return watch((next) => this.propose(next));
  }
}

/**
 * Switch every pending value (call inside one mailbox action, before barriers are injected).
 * Returns the version of every broadcast now in effect, for the checkpoint metadata.
 */
export function switchBroadcasts(broadcasts: readonly SwitchableBroadcast[]): Record<string, number> {
  const versions: Record<string, number> = {};
  for (const b of broadcasts) {
    b.switchPending();
    versions[b.name] = b.version();
  }
  return versions;
}

/** Start every `watch` option; the returned function stops them all (once). */
export function startBroadcastWatches(broadcasts: readonly SwitchableBroadcast[]): () => void {
  const stops = broadcasts.map((b) => b.startWatch());
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const stop of stops) stop();
  };
}

/** How often pending values are switched when periodic checkpoints are disabled. */
export const BROADCAST_TIMER_MS = 100;

/**
 * Without periodic checkpoints there is no barrier to switch at: switch pending values every
 * `intervalMs` in a mailbox action of their own (still between batches, still one cut for all
 * steps). Returns a stop function.
 */
export function switchBroadcastsOnTimer(
  broadcasts: readonly SwitchableBroadcast[],
  submit: (action: () => void) => Promise<void>,
  intervalMs = BROADCAST_TIMER_MS,
): () => void {
  if (broadcasts.length === 0) return () => undefined;
  const timer = setInterval(() => {
    if (!broadcasts.some((b) => b.hasPending())) return;
    submit(() => void switchBroadcasts(broadcasts)).catch(() => undefined); // a closed or failed mailbox: the job is ending
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
