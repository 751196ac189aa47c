import type { StateKindTag, StateTable } from '../slot-access.js';
import type { StateEntry } from '../state-entry.js';

const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/** A fixed-size block of slots; copied on first write after a snapshot (copy-on-write). */
export interface HeapPage {
  readonly version: number;
  readonly entries: (StateEntry | undefined)[];
  readonly keys: (string | undefined)[];
}

/**
 * In-memory storage of one state: a key -> slot index plus paged slot arrays. A snapshot
 * copies only the page list (1M keys = ~1000 pages, microseconds); a page shared with a
 * snapshot is copied before its first modification, Flink CopyOnWriteStateMap-style.
 */
export class HeapStateTable implements StateTable {
  readonly name: string;
  kindTag: StateKindTag;
  ttlMs: number;
  updateOnRead: boolean;
  placeholder: boolean;
  private index = new Map<string, number>();
  /** The last key looked up and its slot: a read-modify-write of one key does one map lookup. */
  private lastKey: string | undefined;
  private lastSlot = -1;
  private pages: HeapPage[] = [];
  private free: number[] = [];
  private nextSlot = 0;

  constructor(base: StateTable) {
    this.name = base.name;
    this.kindTag = base.kindTag;
    this.ttlMs = base.ttlMs;
    this.updateOnRead = base.updateOnRead;
    this.placeholder = base.placeholder;
  }

  get size(): number {
    return this.index.size;
  }

  private slotOf(key: string): number | undefined {
    if (key === this.lastKey) return this.lastSlot;
    const slot = this.index.get(key);
    if (slot !== undefined) {
      this.lastKey = key;
      this.lastSlot = slot;
    }
    return slot;
  }

  get(key: string): StateEntry | undefined {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : this.pages[slot >> PAGE_BITS]!.entries[slot & PAGE_MASK];
  }

  put(key: string, entry: StateEntry, version: number): void {
    let slot = this.slotOf(key);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.nextSlot++;
      this.index.set(key, slot);
      const page = this.writablePage(slot >> PAGE_BITS, version);
      page.keys[slot & PAGE_MASK] = key;
      page.entries[slot & PAGE_MASK] = entry;
      return;
    }
    this.writablePage(slot >> PAGE_BITS, version).entries[slot & PAGE_MASK] = entry;
  }

  delete(key: string, version: number): void {
    const slot = this.slotOf(key);
    if (slot === undefined) return;
    this.index.delete(key);
    this.lastKey = undefined;
    const page = this.writablePage(slot >> PAGE_BITS, version);
    page.entries[slot & PAGE_MASK] = undefined;
    page.keys[slot & PAGE_MASK] = undefined;
    this.free.push(slot);
  }

  /** Keys currently present (live view). */
  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  /** O(pages) frozen view for a snapshot; valid as long as the caller bumps the version. */
  freezePages(): readonly HeapPage[] {
    return this.pages.slice();
  }

  clear(): void {
    this.index = new Map();
    this.lastKey = undefined;
    this.pages = [];
    this.free = [];
    this.nextSlot = 0;
  }

  private writablePage(pageNo: number, version: number): { entries: (StateEntry | undefined)[]; keys: (string | undefined)[] } {
    const page = this.pages[pageNo];
    if (page !== undefined && page.version === version) return page;
    const fresh: HeapPage =
      page === undefined
        ? { version, entries: new Array<StateEntry | undefined>(PAGE_SIZE), keys: new Array<string | undefined>(PAGE_SIZE) }
        : { version, entries: page.entries.slice(), keys: page.keys.slice() };
    this.pages[pageNo] = fresh;
    return fresh;
  }
}
