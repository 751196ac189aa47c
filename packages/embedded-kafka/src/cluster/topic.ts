import { randomUUID } from 'node:crypto';
import type { PartitionLogApi } from '../log/types.js';
import { numericConfig } from './configs.js';

/** One partition of a topic: its log, its assigned replicas and its current leader. */
export interface PartitionState {
  readonly index: number;
  readonly log: PartitionLogApi;
  /** Assigned replicas, preferred leader first (all share the one log: there is no replication). */
  replicas: number[];
  /** An ongoing reassignment's target replicas (AlterPartitionReassignments), else null. */
  reassignTo: number[] | null;
  /** Broker id of the leader, always a live replica; -1 while none is live (the partition is offline). */
  leader: number;
  /** Bumped on every leader change (not reported below Metadata v7, kept for completeness). */
  leaderEpoch: number;
}

/** A topic: name, id, configs and partitions. */
export class TopicState {
  readonly id: string;
  readonly configs: Map<string, string>;
  readonly partitions: PartitionState[] = [];

  constructor(readonly name: string, configs: Record<string, string>, id?: string) {
    this.id = id ?? randomUUID();
    this.configs = new Map(Object.entries(configs));
  }

  /** Configs as a plain object (for persistence). */
  configObject(): Record<string, string> {
    return Object.fromEntries(this.configs);
  }

  numericConfig(name: string): number {
    return numericConfig(this.configs, name);
  }
}

/** Topic names Kafka accepts: 1..249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && name !== '.' && name !== '..' && /^[a-zA-Z0-9._-]+$/.test(name);
}
