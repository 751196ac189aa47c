import type { ApiHandler } from './context.js';
import { createAcls, deleteAcls, describeAcls } from './handlers/acl-apis.js';
import { apiVersions } from './handlers/api-versions.js';
import { alterConfigs } from './handlers/alter-configs.js';
import { createPartitions } from './handlers/create-partitions.js';
import { createTopics } from './handlers/create-topics.js';
import { deleteRecords } from './handlers/delete-records.js';
import { deleteTopics } from './handlers/delete-topics.js';
import { describeConfigs } from './handlers/describe-configs.js';
import { fetch } from './handlers/fetch.js';
import { findCoordinator } from './handlers/find-coordinator.js';
import { deleteGroups, describeGroups, heartbeat, joinGroup, leaveGroup, listGroups, offsetCommit, offsetFetch, syncGroup } from './handlers/group-apis.js';
import { listOffsets } from './handlers/list-offsets.js';
import { metadata } from './handlers/metadata.js';
import { produce } from './handlers/produce.js';
import { alterPartitionReassignments, listPartitionReassignments } from './handlers/reassignments.js';
import { saslAuthenticate } from './handlers/sasl-authenticate.js';
import { saslHandshake } from './handlers/sasl-handshake.js';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId, txnOffsetCommit } from './handlers/txn-apis.js';

/** Every API the broker speaks; ApiVersions advertises exactly this table. */
const HANDLERS: readonly ApiHandler[] = [
  produce, fetch, listOffsets, metadata, offsetCommit, offsetFetch, findCoordinator, joinGroup, heartbeat, leaveGroup,
  syncGroup, describeGroups, listGroups, saslHandshake, apiVersions, createTopics, deleteTopics, deleteRecords,
  initProducerId, addPartitionsToTxn, addOffsetsToTxn, endTxn, txnOffsetCommit, describeConfigs, alterConfigs,
  saslAuthenticate, createPartitions, deleteGroups, describeAcls, createAcls, deleteAcls,
  alterPartitionReassignments, listPartitionReassignments,
];

const BY_KEY = new Map<number, ApiHandler>(HANDLERS.map((h) => [h.apiKey, h]));
let table: Array<{ apiKey: number; minVersion: number; maxVersion: number }> | null = null;

export function handlerFor(apiKey: number): ApiHandler | undefined {
  return BY_KEY.get(apiKey);
}

/** The ApiVersions table: min 0 for every key, max = what the handler implements. */
export function apiVersionsTable(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  table ??= [...BY_KEY.values()].sort((a, b) => a.apiKey - b.apiKey).map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  return table;
}
