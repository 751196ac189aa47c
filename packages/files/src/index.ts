/**
 * @weir/files — exactly-once bucketed file sink for Weir: many streams, each a table
 * directory partitioned by event time; two-phase commit through hidden part files;
 * crash-safe small-file merging; partition readiness announcements (`_SUCCESS`, Kafka,
 * webhook, callback), empty partitions included; late data handling and reconciliation; and the
 * file source that reads the tables back (backfills, and jobs chained by partition readiness).
 */

export { bucketedFileSink } from './sink/bucketed-file-sink.js';
export type { BucketedFileSink } from './sink/bucketed-file-sink.js';
export type { BucketedFileSinkOptions } from './sink/options.js';
export { listCommittedFiles } from './sink/merge.js';
export type { MergeHook, MergeStep } from './sink/merge.js';
export type { MergePlan } from './sink/model.js';
export { TimeBuckets } from './sink/time-buckets.js';
export type { PartitionRange } from './sink/time-buckets.js';

export type { FileStorage, StorageEntry, StorageWriteStream } from './storage/types.js';
export { LocalFileStorage } from './storage/local.js';

export type { BulkFormat, BulkWriter } from './format/types.js';
export { jsonLinesFormat } from './format/json-lines.js';
export type { JsonLinesFormatOptions } from './format/json-lines.js';

export type { PartitionCommitPolicy, ReadyPartition } from './partition/types.js';
export { notificationOf } from './partition/types.js';
export { callbackPolicy, kafkaNotificationPolicy, successFilePolicy, webhookPolicy } from './partition/policies.js';
export type { KafkaLikeProducer, KafkaNotificationOptions, NotificationRecord, WebhookPolicyOptions } from './partition/policies.js';

export { fileSource, partitionTimeWatermarks } from './source/file-source.js';
export type { TableSplit } from './source/file-source.js';
export type { FileSourceOptions, Row } from './source/options.js';
export { kafkaAnnouncements, successFileReadiness, immediateReadiness } from './source/readiness.js';
export type { KafkaAnnouncementsOptions, KafkaLikeConsumer, PartitionReadiness, PartitionRef } from './source/readiness.js';
