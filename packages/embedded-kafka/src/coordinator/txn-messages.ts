/**
 * Request/response bodies of the transaction APIs, as the generated codec produces them.
 * Fields that only exist in some versions are optional.
 */

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** v3+ (-1 when not resuming). */
  producerId?: number;
  producerEpoch?: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnRequest {
  /** v4+ (broker-to-broker batching). */
  transactions?: Array<{
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    verifyOnly?: boolean;
    topics: AddPartitionsToTxnTopic[];
  }>;
  /** v0-3. */
  v3AndBelowTransactionalId?: string;
  v3AndBelowProducerId?: number;
  v3AndBelowProducerEpoch?: number;
  v3AndBelowTopics?: AddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: Array<{ partitionIndex: number; partitionErrorCode: number }>;
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  /** v4+. */
  errorCode?: number;
  resultsByTransaction?: Array<{ transactionalId: string; topicResults: AddPartitionsToTxnTopicResult[] }>;
  /** v0-3. */
  resultsByTopicV3AndBelow?: AddPartitionsToTxnTopicResult[];
}

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** v5+. */
  producerId?: number;
  producerEpoch?: number;
}
