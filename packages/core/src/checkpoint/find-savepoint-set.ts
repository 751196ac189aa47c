/**
 * Finding the savepoint set to restore when nobody can hand it over: a pod of a StatefulSet
 * scaled from N to M knows its ordinal and M, not N nor the N savepoint paths. Every instance
 * `i` of every run keeps its checkpoints at location `i`, so the locations hold the whole
 * history: the newest complete savepoint set is found there.
 *
 * A savepoint set is complete when instances 0..N-1 of one run each left a savepoint of that run
 * (parallelism N, subtask i) at their location, all from the same suspend: no savepoint of
 * another run lies between them (a set mixing two runs would restore state twice or not at
 * all). Anything written after the set (checkpoints of a run started from it) means the job
 * moved on: that is fine only when the new instance count equals that run's (each instance then
 * restores its own newer checkpoint, as after a crash); otherwise the newer state would be
 * lost or repeated, so the search refuses and says how to recover. Clocks of the instances are
 * assumed to agree to well within the time between a suspend and the next start.
 */

import { RestoreRefusedError } from './restore-choice.js';
import type { CheckpointStorage, CompletedCheckpoint } from './storage.js';

/** Where the instances keep their checkpoints, and who is about to start. */
export interface FindSavepointSetOptions {
  /** The job's name (its `Pipeline` name): points of other jobs at a location are ignored. */
  jobName: string;
  /** The checkpoint storage instance `i` uses (the same location across runs, e.g. `<root>/instance-<i>`). */
  storageOf: (instance: number) => CheckpointStorage;
  /**
   * How many locations to read: 0..locations-1. The job's `maxParallelism` bounds every
   * instance count it ever ran with, so it always covers them.
   */
  locations: number;
  /** The instance count about to start (the new parallelism). */
  parallelism: number;
  /** Locations read at once (default 16). */
  concurrency?: number;
}

/** A complete savepoint set: one savepoint per instance of one run, from one suspend. */
export interface FoundSavepointSet {
  /** The savepoint set, in instance order. */
  savepoints: CompletedCheckpoint[];
  /** Instance count of the run that wrote it. */
  parallelism: number;
  /** When its last savepoint was written. */
  suspendedAtMs: number;
}

/** What `findSavepointSet` found and what to restore. */
export interface SavepointSetSearch {
  /** What to pass as the pipeline's `restoreFrom`: the set's paths in instance order, or `'latest'` (nothing to rescale from). */
  restoreFrom: string[] | 'latest';
  /** The newest complete savepoint set, if there is one. */
  set?: FoundSavepointSet;
  /**
   * Newest points written after the set (or, without a set, at all): a run that did not end with
   * a complete suspend. Its instances restore these (their own newest) instead of the set.
   */
  newer: CompletedCheckpoint[];
  /** One line for the log: what was found and what a start with `restoreFrom` will do. */
  explanation: string;
}

/** No restorable state for this instance count: the message says what was found and what to do. */
export class SavepointSetError extends RestoreRefusedError {}

interface Location {
  instance: number;
  savepoints: CompletedCheckpoint[];
  latest: CompletedCheckpoint | undefined;
}

/** Find the newest complete savepoint set among the instance locations (see the module comment). */
export async function findSavepointSet(options: FindSavepointSetOptions): Promise<SavepointSetSearch> {
  const { jobName, parallelism: m } = options;
  if (!Number.isInteger(options.locations) || options.locations < 1) throw new RangeError(`findSavepointSet: locations must be a positive integer, got ${options.locations}`);
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`findSavepointSet: parallelism must be a positive integer, got ${m}`);
  const locs = await readLocations(options);
  if (locs.every((l) => l.latest === undefined && l.savepoints.length === 0)) {
    return { restoreFrom: 'latest', newer: [], explanation: `no checkpoint or savepoint of job '${jobName}' at instance locations 0..${options.locations - 1}: a fresh start` };
  }

  const { set, rejected } = newestCompleteSet(locs);
  const newer = set === undefined ? locs.flatMap((l) => (l.latest ? [l.latest] : [])) : newerThan(set, locs);
  const newerRuns = [...new Set(newer.map((c) => c.metadata.parallelism ?? 1))];
  const lastSuspend = describeNewestSuspend(set, rejected);

  if (newer.some((c) => (c.metadata.parallelism ?? 1) !== m)) {
    const shown = newer.slice(0, 4).map(describe).join('; ');
    const base = set ? `the newest complete savepoint set is of ${instances(set.parallelism)}, suspended at ${iso(set.suspendedAtMs)}, but the job ran after it` : 'there is no complete savepoint set (no suspend of every instance has completed)';
    const ran = newerRuns.length === 1 ? instances(newerRuns[0]!) : `${newerRuns.join(' and ')} instances`;
    throw new SavepointSetError(
      `cannot start ${instances(m)} of '${jobName}': ${base}, with ${ran}, and that run's state is only in its own checkpoints (${shown}${newer.length > 4 ? `; ${newer.length - 4} more` : ''}).${lastSuspend} ` +
        `Start ${newerRuns.length === 1 ? ran : 'that run'} again (each restores its own newest checkpoint), stop them all with a suspend (scale to 0), then start ${m}.`,
    );
  }
  if (set === undefined) {
    return { restoreFrom: 'latest', newer, explanation: `no complete savepoint set; each of the ${instances(m)} restores its own newest checkpoint (the run of ${instances(m)} continues).${lastSuspend}` };
  }
  const from = `the savepoint set of ${instances(set.parallelism)} suspended at ${iso(set.suspendedAtMs)}`;
  const explanation =
    newer.length > 0
      ? `${from}; the run of ${instances(m)} after it did not suspend completely, so instances with newer checkpoints restore those (as after a crash).${lastSuspend}`
      : `${from}${set.parallelism === m ? '' : `, rescaled to ${m}`}`;
  return { restoreFrom: set.savepoints.map((c) => c.path), set, newer, explanation };
}

async function readLocations(o: FindSavepointSetOptions): Promise<Location[]> {
  const out: Location[] = new Array<Location>(o.locations);
  let next = 0;
  const worker = async () => {
    while (next < o.locations) {
      const instance = next++;
      const storage = o.storageOf(instance);
      if (storage.listSavepoints === undefined) throw new TypeError(`findSavepointSet: the checkpoint storage of instance ${instance} cannot list its savepoints (it has no listSavepoints method)`);
      const [savepoints, latest] = await Promise.all([storage.listSavepoints(), storage.latest()]);
      const ofJob = (c: CompletedCheckpoint) => c.metadata.jobName === o.jobName;
      out[instance] = { instance, savepoints: savepoints.filter(ofJob), latest: latest && ofJob(latest) ? latest : undefined };
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 16, o.locations) }, worker));
  return out;
}

interface Rejected {
  parallelism: number;
  newestAtMs: number;
  reason: string;
}

/** For each instance count with a savepoint of instance 0, the newest savepoint per instance; the newest group that is complete and from one suspend. */
function newestCompleteSet(locs: readonly Location[]): { set?: FoundSavepointSet; rejected: Rejected[] } {
  const counts = new Set(locs[0]!.savepoints.filter((c) => (c.metadata.subtask ?? 0) === 0).map((c) => c.metadata.parallelism ?? 1));
  // a count whose instance 0 has no savepoint is incomplete too: reported, never chosen
  for (const l of locs) for (const c of l.savepoints) if (!counts.has(c.metadata.parallelism ?? 1)) counts.add(c.metadata.parallelism ?? 1);
  let best: FoundSavepointSet | undefined;
  const rejected: Rejected[] = [];
  for (const n of counts) {
    const members = Array.from({ length: n }, (_, i) => newestOf(locs[i]?.savepoints ?? [], (c) => (c.metadata.parallelism ?? 1) === n && (c.metadata.subtask ?? 0) === i));
    const present = members.filter((c): c is CompletedCheckpoint => c !== undefined);
    const newestAtMs = Math.max(...present.map((c) => c.metadata.createdAtMs));
    const missing = members.flatMap((c, i) => (c === undefined ? [i] : []));
    if (missing.length > 0) {
      const why = n > locs.length ? `the job ran with ${n} instances but only ${locs.length} locations were read` : `instance${missing.length > 1 ? 's' : ''} ${missing.join(', ')} left no savepoint of that run`;
      rejected.push({ parallelism: n, newestAtMs, reason: why });
      continue;
    }
    const set = present;
    const mixed = mixedWith(set, locs);
    if (mixed !== undefined) {
      rejected.push({ parallelism: n, newestAtMs, reason: `its newest savepoints are not from one suspend: ${mixed.path} (a run of ${mixed.metadata.parallelism ?? 1} instances, ${iso(mixed.metadata.createdAtMs)}) lies between them` });
      continue;
    }
    const maxParallelism = set[0]!.metadata.maxParallelism;
    if (set.some((c) => c.metadata.maxParallelism !== maxParallelism)) {
      rejected.push({ parallelism: n, newestAtMs, reason: 'its savepoints were written with different maxParallelism' });
      continue;
    }
    if (best === undefined || newestAtMs > best.suspendedAtMs) best = { savepoints: set, parallelism: n, suspendedAtMs: newestAtMs };
  }
  return { ...(best ? { set: best } : {}), rejected };
}

/** A savepoint of another run written between the set's first and last savepoint, if any. */
function mixedWith(set: readonly CompletedCheckpoint[], locs: readonly Location[]): CompletedCheckpoint | undefined {
  const n = set.length;
  const from = Math.min(...set.map((c) => c.metadata.createdAtMs));
  const to = Math.max(...set.map((c) => c.metadata.createdAtMs));
  const inSet = new Set(set.map((c) => c.path));
  for (const l of locs) {
    for (const c of l.savepoints) {
      if (inSet.has(c.path) || c.metadata.createdAtMs < from || c.metadata.createdAtMs > to) continue;
      // an earlier savepoint of the same run at the same location (taken while it ran) is not another run
      const sameRun = l.instance < n && (c.metadata.parallelism ?? 1) === n && c.metadata.id < set[l.instance]!.metadata.id;
      if (!sameRun) return c;
    }
  }
  return undefined;
}

/** The newest point of each location written after the set: at the set's own locations by id, elsewhere by time. */
function newerThan(set: FoundSavepointSet, locs: readonly Location[]): CompletedCheckpoint[] {
  const out: CompletedCheckpoint[] = [];
  for (const l of locs) {
    if (l.latest === undefined) continue;
    const own = set.savepoints[l.instance];
    const isNewer = own !== undefined ? l.latest.path !== own.path && l.latest.metadata.id > own.metadata.id : l.latest.metadata.createdAtMs > set.suspendedAtMs;
    if (isNewer) out.push(l.latest);
  }
  return out;
}

function describeNewestSuspend(set: FoundSavepointSet | undefined, rejected: readonly Rejected[]): string {
  const newerRejected = rejected.filter((r) => set === undefined || r.newestAtMs > set.suspendedAtMs).sort((a, b) => b.newestAtMs - a.newestAtMs)[0];
  if (newerRejected === undefined) return '';
  return ` The newest savepoints (of ${newerRejected.parallelism} instances, ${iso(newerRejected.newestAtMs)}) are not a complete set: ${newerRejected.reason}.`;
}

function newestOf(list: readonly CompletedCheckpoint[], pred: (c: CompletedCheckpoint) => boolean): CompletedCheckpoint | undefined {
  let best: CompletedCheckpoint | undefined;
  for (const c of list) if (pred(c) && (best === undefined || c.metadata.id > best.metadata.id)) best = c;
  return best;
}

function describe(c: CompletedCheckpoint): string {
  return `instance ${c.metadata.subtask ?? 0} of ${c.metadata.parallelism ?? 1}: ${c.metadata.kind} ${c.metadata.id} at ${c.path}, ${iso(c.metadata.createdAtMs)}`;
}

function instances(n: number): string {
  return n === 1 ? '1 instance' : `${n} instances`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
