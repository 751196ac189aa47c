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

  /**
   * `inherited` answers a config the topic does not set from the cluster-wide dynamic broker
   * configs (undefined = the default applies).
   */
  constructor(readonly name: string, configs: Record<string, string>, id?: string, private readonly inherited: (name: string) => string | undefined = () => undefined) {
    this.id = id ?? randomUUID();
    this.configs = new Map(Object.entries(configs));
  }

  /** Whether the topic or a dynamic broker config sets `name` (else the default applies). */
  hasConfig(name: string): boolean {
    return this.configs.has(name) || this.inherited(name) !== undefined;
  }

  /** Configs as a plain object (for persistence). */
  configObject(): Record<string, string> {
    return Object.fromEntries(this.configs);
  }

  numericConfig(name: string): number {
    const inherited = this.configs.has(name) ? undefined : this.inherited(name);
    return numericConfig(inherited === undefined ? this.configs : new Map([[name, inherited]]), name);
  }
}

/** Topic names Kafka accepts: 1..249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && name !== '.' && name !== '..' && /^[a-zA-Z0-9._-]+$/.test(name);
}
