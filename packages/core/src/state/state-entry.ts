/**
 * One (state, key) slot held in memory. Entries are copy-on-write across snapshots: an entry
 * whose `version` is older than the backend's current version may be shared with a running
 * snapshot, so it is never mutated; writers replace it with a new entry instead.
 */
export class StateEntry {
  constructor(
    /** The user value (a Map for MapState, an array for ListState). */
    public value: unknown,
    /** Epoch ms after which the value is invisible; 0 = never expires. */
    public expiresAt: number,
    /** Backend version at creation; equal to the current version means "safe to mutate". */
    public version: number,
    /** False when `value` is a container shared with an older entry (must be cloned before mutation). */
    public owned: boolean,
  ) {}
}

/** True when the entry's TTL has run out at `now`. */
export function isExpired(entry: { expiresAt: number }, now: number): boolean {
  return entry.expiresAt !== 0 && now >= entry.expiresAt;
}
