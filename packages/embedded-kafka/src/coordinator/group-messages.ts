/**
 * Request/response bodies of the group APIs, as the generated codec produces them (schema field
 * names with a lower-case first letter). Fields that only exist in some versions are optional;
 * shapes without such fields are the generated types themselves.
 */
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsResponseDescribedGroup,
  JoinGroupRequestProtocol,
  JoinGroupResponseMember,
  LeaveGroupResponseMemberResponse,
  ListGroupsResponseListedGroup,
  OffsetCommitResponseTopic,
  OffsetFetchRequestTopic,
  OffsetFetchResponseGroup,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
  SyncGroupRequestAssignment,
  TxnOffsetCommitResponse,
} from '../protocol/index.js';

export type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  JoinGroupResponseMember,
  OffsetFetchRequestTopic,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
  TxnOffsetCommitResponse,
};
export type JoinGroupProtocol = JoinGroupRequestProtocol;
/** A topic's per-partition error codes (OffsetCommit and TxnOffsetCommit answers). */
export type PartitionErrorTopic = OffsetCommitResponseTopic;
/** `authorizedOperations` is not computed: always Kafka's "not provided" value. */
export type DescribedGroup = DescribeGroupsResponseDescribedGroup;

/** Who sent a request (from the request header and the connection), used for member ids and DescribeGroups. */
export interface ClientInfo {
  clientId: string;
  clientHost: string;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+; v0 uses the session timeout. */
  rebalanceTimeoutMs?: number;
  memberId: string;
  /** v5+ (static membership is accepted and treated as dynamic). */
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  reason?: string | null;
}

export interface JoinGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  generationId: number;
  protocolType?: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment?: boolean;
  memberId: string;
  members: JoinGroupResponseMember[];
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  protocolType?: string | null;
  protocolName?: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs?: number;
  errorCode: number;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** v0-2. */
  memberId?: string;
  /** v3+. */
  members?: Array<{ memberId: string; groupInstanceId?: string | null; reason?: string | null }>;
}

export interface LeaveGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  /** v3+. */
  members?: LeaveGroupResponseMemberResponse[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** v1+ (absent in v0: a simple, generation-less commit). */
  generationIdOrMemberEpoch?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  retentionTimeMs?: number;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch?: number;
      /** v1 only; -1 means "now". */
      commitTimestamp?: number;
      committedMetadata: string | null;
    }>;
  }>;
}

export interface OffsetCommitResponse {
  throttleTimeMs?: number;
  topics: PartitionErrorTopic[];
}

export interface OffsetFetchRequest {
  /** v0-7. */
  groupId?: string;
  /** v0-7; null (v2+) means every committed partition of the group. */
  topics?: OffsetFetchRequestTopic[] | null;
  /** v8+. */
  groups?: Array<{ groupId: string; memberId?: string | null; memberEpoch?: number; topics: OffsetFetchRequestTopic[] | null }>;
  /** v7+. */
  requireStable?: boolean;
}

export interface OffsetFetchResponse {
  throttleTimeMs?: number;
  /** v0-7. */
  topics?: OffsetFetchResponseTopic[];
  /** v2-7. */
  errorCode?: number;
  /** v8+. */
  groups?: OffsetFetchResponseGroup[];
}

export interface ListGroupsRequest {
  statesFilter?: string[];
  typesFilter?: string[];
}

export interface ListGroupsResponse {
  throttleTimeMs?: number;
  errorCode: number;
  groups: ListGroupsResponseListedGroup[];
}

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations?: boolean;
}

export interface DescribeGroupsResponse {
  throttleTimeMs?: number;
  groups: DescribedGroup[];
}

export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  /** v3+. */
  generationId?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch?: number; committedMetadata: string | null }>;
  }>;
}
