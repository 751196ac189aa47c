import type { StateEntry } from './state-entry.js';

/** Kind of a registered state; a name can only be used for one kind. */
export type StateKindTag = 'value' | 'map' | 'list' | 'reducing';

/** What every backend knows about a registered state (backends extend it with their storage). */
export interface StateTable {
  readonly name: string;
  kindTag: StateKindTag;
  /** 0 = no TTL. */
  ttlMs: number;
  updateOnRead: boolean;
  /** Created by a restore before user code registered the state; adopts the first registration's config. */
  placeholder: boolean;
}

/**
 * Synchronous access to the current key's slot of one state; implemented by the backends and
 * used by the state kinds (ValueState, MapState, ...). Internal, not exported from the package.
 */
export interface SlotAccess {
  /** The current key's live (non-expired) entry, refreshing its TTL if configured. */
  readSlot(table: StateTable): StateEntry | undefined;
  /** Stores `value` for the current key; `owned` = the container is not shared with anything. */
  writeSlot(table: StateTable, value: unknown, owned: boolean): void;
  removeSlot(table: StateTable): void;
  /** True when the entry's container may be mutated in place (not visible to a running snapshot). */
  isMutable(entry: StateEntry): boolean;
}
