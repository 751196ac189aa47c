import type { SlotAccess, StateTable } from '../slot-access.js';
import type { ListState } from '../types.js';

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * ListState stored as one array per key. Appends mutate the array in place unless it is
 * shared with a running snapshot, in which case it is copied first (copy-on-write).
 */
export class SlotListState<T> implements ListState<T> {
  constructor(
    private readonly slots: SlotAccess,
    private readonly table: StateTable,
  ) {}

  get(): readonly T[] {
    return (this.slots.readSlot(this.table)?.value as T[] | undefined) ?? EMPTY;
  }

  add(value: T): void {
    this.append([value]);
  }

  addAll(values: readonly T[]): void {
    if (values.length > 0) this.append(values);
  }

  update(values: readonly T[]): void {
    if (values.length === 0) this.slots.removeSlot(this.table);
    else this.slots.writeSlot(this.table, values.slice(), true);
  }

  clear(): void {
    this.slots.removeSlot(this.table);
  }

  private append(values: readonly T[]): void {
    const entry = this.slots.readSlot(this.table);
    if (entry === undefined) {
      this.slots.writeSlot(this.table, values.slice(), true);
      return;
    }
    const list = this.slots.isMutable(entry) ? (entry.value as T[]) : (entry.value as T[]).slice();
    for (const v of values) list.push(v);
    this.slots.writeSlot(this.table, list, true);
  }
}
