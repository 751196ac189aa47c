import fs from 'node:fs';
import path from 'node:path';
import { PartitionLog } from '../log/index.js';
import { partitionLogDir } from '../log/partition-log.js';
import type { PartitionLogApi } from '../log/types.js';
import type { PersistableCoordinator } from '../coordinator/types.js';
import type { StoredBrokerConfigs } from '../cluster/broker-configs.js';
import type { AclBinding } from '../security/acls.js';
import { readJsonSync, writeFileAtomicSync } from './atomic-file.js';

/** Topic metadata persisted in `meta.json`. */
export interface StoredTopic {
  name: string;
  id: string;
  partitions: number;
  configs: Record<string, string>;
  /** Replicas per partition (absent in stores written before replica assignments: every broker). */
  replicas?: number[][];
}

export interface StoredMeta {
  clusterId: string;
  topics: StoredTopic[];
}

/** Where partition logs live and how they are opened. */
export interface LogFactory {
  open(topic: string, partition: number): Promise<PartitionLogApi>;
  /** Removes a deleted topic's data. */
  removeTopic(topic: string, partitions: number): void;
}

/** Logs kept in memory only. */
export const memoryLogs: LogFactory = {
  open: async (topic, partition) => PartitionLog.inMemory(topic, partition),
  removeTopic: () => {},
};

/**
 * On-disk layout of a cluster's `dataDir`:
 *   meta.json                  cluster id, topics (names, ids, partition counts, configs)
 *   acls.json                  ACL bindings (wire codes), written when CreateAcls/DeleteAcls change them
 *   broker-configs.json        dynamic broker configs by resource ('' = cluster-wide), written by AlterConfigs
 *   coordinators/<name>.json   coordinator snapshots (group offsets, transaction state)
 *   logs/<topic>-<partition>/  partition logs (owned by PartitionLog)
 * ACLs and broker configs are written before the response that changed them, like topics.
 * Coordinator snapshots are written synchronously when dirty, at the latest right before the next
 * response leaves the broker, so an acknowledged offset commit survives SIGKILL.
 */
export class ClusterStore implements LogFactory {
  private readonly dirty = new Map<string, PersistableCoordinator<unknown>>();
  private timer: NodeJS.Immediate | null = null;

  constructor(readonly dataDir: string) {
    fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(dataDir, 'coordinators'), { recursive: true });
  }

  loadMeta(): StoredMeta | null {
    return readJsonSync<StoredMeta>(path.join(this.dataDir, 'meta.json'));
  }

  saveMeta(meta: StoredMeta): void {
    writeFileAtomicSync(path.join(this.dataDir, 'meta.json'), JSON.stringify(meta, null, 1));
  }

  loadAcls(): AclBinding[] {
    return readJsonSync<AclBinding[]>(this.file('acls.json')) ?? [];
  }

  saveAcls(bindings: readonly AclBinding[]): void {
    writeFileAtomicSync(this.file('acls.json'), JSON.stringify(bindings, null, 1));
  }

  loadBrokerConfigs(): StoredBrokerConfigs {
    return readJsonSync<StoredBrokerConfigs>(this.file('broker-configs.json')) ?? {};
  }

  saveBrokerConfigs(configs: StoredBrokerConfigs): void {
    writeFileAtomicSync(this.file('broker-configs.json'), JSON.stringify(configs, null, 1));
  }

  open(topic: string, partition: number): Promise<PartitionLogApi> {
    return Promise.resolve(PartitionLog.open({ topic, partition, dir: this.logsDir() }));
  }

  removeTopic(topic: string, partitions: number): void {
    for (let p = 0; p < partitions; p++) fs.rmSync(partitionLogDir(this.logsDir(), topic, p), { recursive: true, force: true });
  }

  /** Restores a coordinator from its snapshot (if any) and saves it whenever it changes. */
  attach<S>(name: string, coordinator: PersistableCoordinator<S>): void {
    const state = readJsonSync<S>(this.snapshotFile(name));
    if (state !== null) coordinator.restore(reviveBuffers(state) as S);
    coordinator.onChange(() => {
      this.dirty.set(name, coordinator as PersistableCoordinator<unknown>);
      // Also flush soon when no response is pending (e.g. a session-timeout rebalance).
      this.timer ??= setImmediate(() => this.flush());
    });
  }

  /** Writes every dirty coordinator snapshot now. */
  flush(): void {
    if (this.timer) {
      clearImmediate(this.timer);
      this.timer = null;
    }
    if (this.dirty.size === 0) return;
    for (const [name, coordinator] of this.dirty) {
      writeFileAtomicSync(this.snapshotFile(name), JSON.stringify(coordinator.snapshot()));
    }
    this.dirty.clear();
  }

  private file(name: string): string {
    return path.join(this.dataDir, name);
  }

  private logsDir(): string {
    return path.join(this.dataDir, 'logs');
  }

  private snapshotFile(name: string): string {
    return path.join(this.dataDir, 'coordinators', `${name}.json`);
  }
}

/** JSON.stringify turns Buffers into {type:'Buffer',data:[...]}; turn them back on load. */
function reviveBuffers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveBuffers);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (obj.type === 'Buffer' && Array.isArray(obj.data)) return Buffer.from(obj.data as number[]);
    for (const k of Object.keys(obj)) obj[k] = reviveBuffers(obj[k]);
  }
  return value;
}
