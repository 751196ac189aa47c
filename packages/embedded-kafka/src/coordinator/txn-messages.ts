/**
 * Request/response bodies of the transaction APIs, as the generated codec produces them.
 * Fields that only exist in some versions are optional; shapes without such fields are the
 * generated types themselves.
 */
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  AddPartitionsToTxnResponseAddPartitionsToTxnResult,
  AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
  EndTxnRequest,
  InitProducerIdResponse,
} from '../protocol/index.js';

export type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, EndTxnRequest, InitProducerIdResponse };
export type AddPartitionsToTxnTopic = AddPartitionsToTxnRequestAddPartitionsToTxnTopic;
export type AddPartitionsToTxnTopicResult = AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult;

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** v3+ (-1 when not resuming). */
  producerId?: number;
  producerEpoch?: number;
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

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  /** v4+. */
  errorCode?: number;
  resultsByTransaction?: AddPartitionsToTxnResponseAddPartitionsToTxnResult[];
  /** v0-3. */
  resultsByTopicV3AndBelow?: AddPartitionsToTxnTopicResult[];
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** v5+. */
  producerId?: number;
  producerEpoch?: number;
}
