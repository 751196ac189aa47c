import type { SlotAccess, StateTable } from '../slot-access.js';
import type { ValueState } from '../types.js';

/** ValueState over one slot. Writing `undefined` clears the value. */
export class SlotValueState<T> implements ValueState<T> {
  constructor(
    private readonly slots: SlotAccess,
    private readonly table: StateTable,
  ) {}

  value(): T | undefined {
    return this.slots.readSlot(this.table)?.value as T | undefined;
  }

  update(value: T): void {
    if (value === undefined) this.slots.removeSlot(this.table);
    else this.slots.writeSlot(this.table, value, true);
  }

  clear(): void {
    this.slots.removeSlot(this.table);
  }
}
