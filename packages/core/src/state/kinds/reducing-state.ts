import type { SlotAccess, StateTable } from '../slot-access.js';
import type { ReducingState } from '../types.js';

/** ReducingState: keeps one value, folding every added value in with `reduce`. */
export class SlotReducingState<T> implements ReducingState<T> {
  constructor(
    private readonly slots: SlotAccess,
    private readonly table: StateTable,
    private readonly reduce: (a: T, b: T) => T,
  ) {}

  get(): T | undefined {
    return this.slots.readSlot(this.table)?.value as T | undefined;
  }

  add(value: T): void {
    const entry = this.slots.readSlot(this.table);
    const next = entry === undefined ? value : this.reduce(entry.value as T, value);
    this.slots.writeSlot(this.table, next, true);
  }

  clear(): void {
    this.slots.removeSlot(this.table);
  }
}
