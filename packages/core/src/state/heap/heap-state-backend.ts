import { AbstractKeyedStateBackend } from '../abstract-keyed-backend.js';
import { decodeKvFile, encodeKvFile, type KvPair } from '../kv-file.js';
import type { StateTable } from '../slot-access.js';
import { StateEntry, isExpired } from '../state-entry.js';
import { asKvHandle, kvHandle, yieldToEventLoop } from '../state-handle.js';
import { composeKey, splitKey } from '../state-key.js';
import type { RestoreOptions, StateBackendContext, StateBackendStats, StateFiles, StateHandle, StateKey, StateSnapshot } from '../types.js';
import { keyFilterFor } from '../key-groups.js';
import { decodeSlot, encodeSlot } from '../value-codec.js';
import { HeapStateTable, type HeapPage } from './heap-state-table.js';

/** Name of the single file a heap snapshot writes. */
const FILE = 'state.kv';
/** Entries encoded between event-loop turns while persisting. */
const PERSIST_SLICE = 4096;

/**
 * Keyed state kept in JS Maps. Reads and writes never touch disk; a snapshot freezes the page
 * lists of every state in O(pages) and persists them asynchronously while processing goes on.
 */
export class HeapStateBackend extends AbstractKeyedStateBackend<HeapStateTable> {
  readonly kind = 'heap' as const;

  constructor(context: StateBackendContext) {
    super(context.now ?? Date.now);
  }

  protected createTable(base: StateTable): HeapStateTable {
    return new HeapStateTable(base);
  }

  protected getEntry(table: HeapStateTable, key: StateKey): StateEntry | undefined {
    return table.get(key);
  }

  protected peekEntry(table: HeapStateTable, key: StateKey): StateEntry | undefined {
    return table.get(key);
  }

  protected putEntry(table: HeapStateTable, key: StateKey, entry: StateEntry): void {
    table.put(key, entry, this.version);
  }

  protected deleteEntry(table: HeapStateTable, key: StateKey): void {
    table.delete(key, this.version);
  }

  prefetch(): undefined {
    return undefined;
  }

  async *keys(stateName: string): AsyncIterable<StateKey> {
    const table = this.table(stateName);
    if (table === undefined) return;
    const now = this.now();
    for (const key of Array.from(table.keys())) {
      const entry = table.get(key);
      if (entry !== undefined && !isExpired(entry, now)) yield key;
    }
  }

  snapshot(checkpointId: number): StateSnapshot {
    const frozen = Array.from(this.tables.values(), (t) => ({ name: t.name, pages: t.freezePages() }));
    // From now on every page and entry in `frozen` is copy-on-write, so it stays as it is now.
    this.version++;
    const cutoff = this.now();
    return {
      persist: async (files: StateFiles): Promise<StateHandle> => {
        const counter = { entries: 0 };
        await files.write(FILE, encodeKvFile(frozenEntries(frozen, cutoff, counter)));
        return kvHandle(this.kind, checkpointId, [FILE], counter.entries);
      },
    };
  }

  async restore(handle: StateHandle, files: StateFiles, options: RestoreOptions = {}): Promise<void> {
    const kv = asKvHandle(handle);
    if (options.append !== true) for (const table of this.tables.values()) table.clear();
    this.version++;
    const now = this.now();
    const keep = keyFilterFor(options.keyGroups);
    for (const file of kv.files) {
      for await (const pairs of decodeKvFile(files.readStream(file))) {
        for (const [composed, bytes] of pairs) {
          const { value, expiresAt } = decodeSlot(bytes);
          if (expiresAt !== 0 && now >= expiresAt) continue;
          const [stateName, key] = splitKey(composed);
          if (keep !== undefined && !keep(key)) continue;
          this.tableForRestore(stateName).put(key, new StateEntry(value, expiresAt, this.version, true), this.version);
        }
        await yieldToEventLoop();
      }
    }
  }

  approximateKeyCount(): number {
    let n = 0;
    for (const table of this.tables.values()) n += table.size;
    return n;
  }

  stats(): StateBackendStats {
    return { keys: this.approximateKeyCount() };
  }

  async close(): Promise<void> {
    for (const table of this.tables.values()) table.clear();
  }
}

/** Walks frozen pages, encoding live entries and yielding to the event loop every few thousand. */
async function* frozenEntries(
  frozen: readonly { name: string; pages: readonly HeapPage[] }[],
  cutoff: number,
  counter: { entries: number },
): AsyncGenerator<KvPair[]> {
  let batch: KvPair[] = [];
  for (const { name, pages } of frozen) {
    for (const page of pages) {
      const { entries, keys } = page;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i];
        if (entry === undefined || isExpired(entry, cutoff)) continue;
        batch.push([composeKey(name, keys[i]!), encodeSlot(entry.value, entry.expiresAt)]);
      }
      if (batch.length >= PERSIST_SLICE) {
        counter.entries += batch.length;
        yield batch;
        batch = [];
        await yieldToEventLoop();
      }
    }
  }
  counter.entries += batch.length;
  yield batch;
}
