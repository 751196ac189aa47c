/**
 * Per-connection ordered response queue: handlers may finish out of order (a JoinGroup waits, a
 * Produce does not) but Kafka clients match responses by arrival order, so a response is written only
 * once every earlier response on the same connection has been written.
 */
interface Slot {
  done: boolean;
  frame: Buffer | null;
}

export class ResponseQueue {
  private readonly slots: Slot[] = [];
  private head = 0;

  constructor(private readonly write: (frames: Buffer[]) => void) {}

  /** Reserves the next position; call `complete` on the returned slot with the frame (null = nothing to send). */
  reserve(): Slot {
    const slot: Slot = { done: false, frame: null };
    this.slots.push(slot);
    return slot;
  }

  complete(slot: Slot, frame: Buffer | null): void {
    slot.done = true;
    slot.frame = frame;
    this.flush();
  }

  get pending(): number {
    return this.slots.length - this.head;
  }

  private flush(): void {
    let out: Buffer[] | null = null;
    while (this.head < this.slots.length && this.slots[this.head]!.done) {
      const frame = this.slots[this.head]!.frame;
      this.head++;
      if (frame) (out ??= []).push(frame);
    }
    // Compact occasionally so the array does not grow without bound on long-lived connections.
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
    if (out) this.write(out);
  }
}
