/** A registered timer: fires for `key` once time reaches `timestamp`. */
export interface Timer {
  readonly key: string;
  readonly timestamp: number;
}

/**
 * Timers of one time domain: a binary min-heap ordered by (timestamp, key) plus a map of the
 * live timers for O(1) dedupe and deletion. Deleted timers stay in the heap until they reach
 * the top (lazy deletion) or the heap is compacted; all operations are O(log n).
 */
export class TimerQueue {
  private heap: Timer[] = [];
  /** Live timers by id; a heap item is live only if it is the very object stored here. */
  private readonly live = new Map<string, Timer>();

  get size(): number {
    return this.live.size;
  }

  /** Adds a timer; returns false if the same (key, timestamp) is already registered. */
  add(key: string, timestamp: number): boolean {
    if (!Number.isFinite(timestamp)) throw new Error(`Timer timestamp must be a finite number, got ${timestamp}`);
    const id = timerId(key, timestamp);
    if (this.live.has(id)) return false;
    const timer: Timer = { key, timestamp };
    this.live.set(id, timer);
    this.push(timer);
    return true;
  }

  /** Removes a timer; returns false if it was not registered. */
  remove(key: string, timestamp: number): boolean {
    if (!this.live.delete(timerId(key, timestamp))) return false;
    if (this.heap.length > 64 && this.heap.length > 2 * this.live.size) this.compact();
    return true;
  }

  /** Removes and returns, in (timestamp, key) order, every timer with timestamp <= `time`. */
  popDue(time: number): Timer[] {
    const due: Timer[] = [];
    while (this.heap.length > 0 && this.heap[0]!.timestamp <= time) {
      const timer = this.pop();
      const id = timerId(timer.key, timer.timestamp);
      if (this.live.get(id) === timer) {
        this.live.delete(id);
        due.push(timer);
      }
    }
    return due;
  }

  /** Earliest live timestamp, if any. */
  peek(): number | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.live.get(timerId(top.key, top.timestamp)) === top) return top.timestamp;
      this.pop();
    }
    return undefined;
  }

  /** Live timers in no particular order. */
  values(): IterableIterator<Timer> {
    return this.live.values();
  }

  clear(): void {
    this.heap = [];
    this.live.clear();
  }

  private compact(): void {
    this.heap = Array.from(this.live.values());
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): Timer {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const item = heap[start]!;
    const n = heap.length;
    let i = start;
    while (true) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}

function timerId(key: string, timestamp: number): string {
  return `${timestamp}\0${key}`;
}

/** Heap order: earlier timestamp first, then key, so firing order is deterministic. */
function before(a: Timer, b: Timer): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.key < b.key);
}
