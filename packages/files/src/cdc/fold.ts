/**
 * Folding changes into "latest row per key": a change replaces the key's current version when its
 * timestamp is not older (ties: the later arrival wins), so applying any interleaving of
 * time-ordered runs gives the same table as applying every change in timestamp order. Deletes
 * stay as tombstones while folding (an older change arriving later must not resurrect the key)
 * and are dropped only when the table is written out.
 */

import type { TableChange } from './model.js';

export class FoldedTable {
  readonly versions = new Map<string, TableChange>();
  applied = 0;

  apply(change: TableChange): void {
    const current = this.versions.get(change.key);
    if (current === undefined || change.ts >= current.ts) this.versions.set(change.key, change);
    this.applied++;
  }

  /** Live rows (deletes dropped), sorted by key so a snapshot's content is deterministic. */
  live(): TableChange[] {
    const out: TableChange[] = [];
    for (const v of this.versions.values()) if (v.row !== undefined) out.push(v);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Every version including tombstones (for deltas). */
  all(): TableChange[] {
    return [...this.versions.values()];
  }
}
