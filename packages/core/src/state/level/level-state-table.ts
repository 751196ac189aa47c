import type { StateKindTag, StateTable } from '../slot-access.js';
import type { StateEntry } from '../state-entry.js';

/** A slot value not yet written to the store; `null` = deleted. */
export type PendingSlot = StateEntry | null;

/** One state of the level backend: its LRU cache and the writes not yet flushed. */
export class LevelStateTable implements StateTable {
  readonly name: string;
  /** `<name>\0`, prepended to keys in the store. */
  readonly prefix: string;
  kindTag: StateKindTag;
  ttlMs: number;
  updateOnRead: boolean;
  placeholder: boolean;
  /** Hot keys in least-recently-prefetched-first order; `null` = known to have no value. */
  cache = new Map<string, PendingSlot>();
  /** Writes since the last flush. */
  dirty = new Map<string, PendingSlot>();

  constructor(base: StateTable) {
    this.name = base.name;
    this.prefix = `${base.name}\0`;
    this.kindTag = base.kindTag;
    this.ttlMs = base.ttlMs;
    this.updateOnRead = base.updateOnRead;
    this.placeholder = base.placeholder;
  }

  /** Drops the oldest cached keys down to `capacity`, never evicting keys in `keep` or `keepToo`. */
  evict(capacity: number, keep: ReadonlySet<string>, keepToo: ReadonlySet<string>): void {
    let excess = this.cache.size - capacity;
    if (excess <= 0) return;
    for (const key of this.cache.keys()) {
      if (keep.has(key) || keepToo.has(key)) continue;
      this.cache.delete(key);
      if (--excess === 0) return;
    }
  }
}
