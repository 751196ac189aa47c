import { ClassicLevel } from 'classic-level';
import type { LevelBatchOp, LevelStore, LevelStoreIterator } from './level-store.js';

const BUFFER = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const;

/** Opens a classic-level (LevelDB) store. */
export async function openClassicLevelStore(dir: string): Promise<LevelStore> {
  const db = new ClassicLevel<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open();
  return {
    kind: 'classic-level',
    batch: (ops: LevelBatchOp[]) => db.batch(ops),
    getMany: (keys: string[]) => db.getMany(keys),
    getManySync: undefined,
    getSync: (key: string) => db.getSync(key),
    iterator(range?: { gte: string; lt: string }): LevelStoreIterator {
      return db.iterator<Buffer, Buffer>(range === undefined ? BUFFER : { ...BUFFER, gte: Buffer.from(range.gte), lt: Buffer.from(range.lt) });
    },
    clear: () => db.clear(),
    close: () => db.close(),
  };
}
