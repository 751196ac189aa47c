import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler } from '../context.js';
import { AclOperation, ResourceType } from '../../security/acls.js';
import { allowed, clusterAllowed, commitAllowedTopics } from '../authorize.js';
import { clientInfo, coordinatedApi, isCoordinator } from './coordinated.js';
import { offsetCommitError } from './error-bodies.js';

const EMPTY = Buffer.alloc(0);

/** Error bodies of the single-group APIs. */
const joinError = (_req: unknown, errorCode: number): any => ({ throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: '', leader: '', skipAssignment: false, memberId: '', members: [] });
const syncError = (_req: unknown, errorCode: number): any => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: EMPTY });
const simpleError = (_req: unknown, errorCode: number): any => ({ throttleTimeMs: 0, errorCode, members: [] });
const fetchError = (req: any, errorCode: number): any => ({
  throttleTimeMs: 0,
  errorCode,
  topics: (req.topics ?? []).map((t: any) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex: number) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode })),
  })),
});

/** JoinGroup v0-7: waits (async) until the join phase completes. */
export const joinGroup = coordinatedApi({ apiKey: 11, maxVersion: 7, key: 'groupId', error: joinError }, (ctx, req) =>
  ctx.cluster.groups.joinGroup(req, ctx.apiVersion, clientInfo(ctx)),
);

/** SyncGroup v0-5: followers wait for the leader's assignment. */
export const syncGroup = coordinatedApi({ apiKey: 14, maxVersion: 5, key: 'groupId', error: syncError }, (ctx, req) =>
  ctx.cluster.groups.syncGroup(req, ctx.apiVersion),
);

/** Heartbeat v0-4. */
export const heartbeat = coordinatedApi({ apiKey: 12, maxVersion: 4, key: 'groupId', error: simpleError }, (ctx, req) =>
  ctx.cluster.groups.heartbeat(req, ctx.apiVersion),
);

/** LeaveGroup v0-4 (v3+ leaves a batch of members). */
export const leaveGroup = coordinatedApi({ apiKey: 13, maxVersion: 4, key: 'groupId', error: simpleError }, (ctx, req) =>
  ctx.cluster.groups.leaveGroup(req, ctx.apiVersion),
);

/** OffsetCommit v0-8. */
export const offsetCommit = coordinatedApi({ apiKey: 8, maxVersion: 8, key: 'groupId', error: offsetCommitError }, (ctx, req) =>
  commitAllowedTopics(ctx, req, (allowedReq) => ctx.cluster.groups.offsetCommit(allowedReq, ctx.apiVersion)),
);

/** OffsetFetch v0-7 (single group per request). */
export const offsetFetch = coordinatedApi({ apiKey: 9, maxVersion: 7, key: 'groupId', error: fetchError }, (ctx, req) =>
  ctx.cluster.groups.offsetFetch(req, ctx.apiVersion),
);

/** DescribeGroups v0-5: groups this broker does not coordinate answer ErrorCodes.NOT_COORDINATOR. */
export const describeGroups: ApiHandler = {
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req: { groups: string[]; includeAuthorizedOperations?: boolean }) {
    const visible = (g: string): boolean => allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g);
    const mine = req.groups.filter((g) => isCoordinator(ctx, g) && visible(g));
    const described = new Map<string, any>(ctx.cluster.groups.describeGroups({ ...req, groups: mine }, ctx.apiVersion).groups.map((g: any) => [g.groupId, g]));
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g) => described.get(g) ?? describeError(g, visible(g) ? ErrorCodes.NOT_COORDINATOR : ErrorCodes.GROUP_AUTHORIZATION_FAILED)),
    };
  },
  errorBody: (req: { groups: string[] }, errorCode) => ({ throttleTimeMs: 0, groups: req.groups.map((g) => describeError(g, errorCode)) }),
};

function describeError(groupId: string, errorCode: number): any {
  return { errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
}

/** ListGroups v0-4: each broker lists the groups it coordinates (admin clients ask every broker). */
export const listGroups: ApiHandler = {
  apiKey: 16,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const all = ctx.cluster.groups.listGroups(req, ctx.apiVersion);
    // Kafka lists every group with DESCRIBE on the cluster, else only those the principal may describe.
    const everything = clusterAllowed(ctx, AclOperation.DESCRIBE);
    const listed = (g: string): boolean => isCoordinator(ctx, g) && (everything || allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g));
    return { ...all, groups: all.groups.filter((g: { groupId: string }) => listed(g.groupId)) };
  },
  errorBody: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
};

/** DeleteGroups v0-2. */
export const deleteGroups: ApiHandler = {
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req: { groupsNames: string[] }) {
    const deletable = (g: string): boolean => allowed(ctx, AclOperation.DELETE, ResourceType.GROUP, g);
    const mine = req.groupsNames.filter((g) => isCoordinator(ctx, g) && deletable(g));
    const results = new Map<string, number>(ctx.cluster.groups.deleteGroups({ groupsNames: mine }, ctx.apiVersion).results.map((r: any) => [r.groupId, r.errorCode]));
    const fallback = (g: string): number => (deletable(g) ? ErrorCodes.NOT_COORDINATOR : ErrorCodes.GROUP_AUTHORIZATION_FAILED);
    return { throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode: results.get(groupId) ?? fallback(groupId) })) };
  },
  errorBody: (req: { groupsNames: string[] }, errorCode) => ({ throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
};
