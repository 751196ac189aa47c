import { ErrorCodes } from '../protocol/index.js';
import type { OffsetFetchRequestTopic, OffsetFetchResponsePartition, OffsetFetchResponseTopic, PartitionErrorTopic } from './group-messages.js';
import type { OffsetEntry, OffsetStore } from './offset-store.js';

/** Kafka's default offset.metadata.max.bytes. */
export const MAX_OFFSET_METADATA_LENGTH = 4096;

/** A partition of an OffsetCommit/TxnOffsetCommit request, normalised across versions. */
export interface CommitPartitionInput {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch?: number;
  commitTimestamp?: number;
  committedMetadata: string | null;
}

/**
 * Answer every partition of a commit request with `groupError` or, when that is NONE, validate
 * and hand the entry to `write`. Returns the per-partition errors and whether anything was written.
 */
export function commitPartitions(
  topics: ReadonlyArray<{ name: string; partitions: readonly CommitPartitionInput[] }>,
  groupError: number,
  nowMs: number,
  partitionExists: ((topic: string, partition: number) => boolean) | undefined,
  write: (topic: string, partition: number, entry: OffsetEntry) => void,
): { topics: PartitionErrorTopic[]; written: boolean } {
  let written = false;
  const result = topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((p) => {
      let errorCode: number = groupError;
      if (errorCode === ErrorCodes.NONE && partitionExists !== undefined && !partitionExists(topic.name, p.partitionIndex)) {
        errorCode = ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION;
      }
      if (errorCode === ErrorCodes.NONE && (p.committedMetadata?.length ?? 0) > MAX_OFFSET_METADATA_LENGTH) {
        errorCode = ErrorCodes.OFFSET_METADATA_TOO_LARGE;
      }
      if (errorCode === ErrorCodes.NONE) {
        write(topic.name, p.partitionIndex, {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata: p.committedMetadata ?? '',
          commitTimestampMs: p.commitTimestamp !== undefined && p.commitTimestamp >= 0 ? p.commitTimestamp : nowMs,
        });
        written = true;
      }
      return { partitionIndex: p.partitionIndex, errorCode };
    }),
  }));
  return { topics: result, written };
}

const NO_OFFSET = { committedOffset: -1, committedLeaderEpoch: -1, metadata: '' } as const;

/**
 * The offsets of one group for OffsetFetch: the requested partitions (unknown ones as offset -1,
 * metadata ''), or, for a null topic list, every committed partition. With `requireStable`,
 * partitions with offsets staged by an open transaction answer UNSTABLE_OFFSET_COMMIT.
 */
export function fetchGroupOffsets(
  store: OffsetStore,
  groupId: string,
  topics: readonly OffsetFetchRequestTopic[] | null | undefined,
  requireStable: boolean,
): OffsetFetchResponseTopic[] {
  const answer = (topic: string, partitionIndex: number, entry: OffsetEntry | undefined): OffsetFetchResponsePartition => {
    if (requireStable && store.hasStaged(groupId, topic, partitionIndex)) {
      return { partitionIndex, ...NO_OFFSET, errorCode: ErrorCodes.UNSTABLE_OFFSET_COMMIT };
    }
    if (entry === undefined) return { partitionIndex, ...NO_OFFSET, errorCode: ErrorCodes.NONE };
    return { partitionIndex, committedOffset: entry.offset, committedLeaderEpoch: entry.leaderEpoch, metadata: entry.metadata, errorCode: ErrorCodes.NONE };
  };
  if (topics == null) {
    return [...store.topicsOf(groupId)].map(([name, partitions]) => ({
      name,
      partitions: [...partitions].map(([partition, entry]) => answer(name, partition, entry)),
    }));
  }
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partition) => answer(t.name, partition, store.get(groupId, t.name, partition))),
  }));
}
