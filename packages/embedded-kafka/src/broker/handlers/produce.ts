import { ErrorCodes } from '../../protocol/index.js';
import type { ApiHandler, RequestContext } from '../context.js';
import { AclOperation } from '../../security/acls.js';
import { ledPartition } from './led-partition.js';
import { checkProducerBatch } from './produce-validation.js';
import { legacyToBatch } from '../legacy-records.js';

interface ProduceRequest {
  transactionalId?: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>;
}

/**
 * Produce v0-8. Batches are validated and stored opaquely; v0-2 legacy message sets are converted
 * to a RecordBatch v2 first. acks=0 gets no response at all.
 */
export const produce: ApiHandler = {
  apiKey: 0,
  minVersion: 0,
  maxVersion: 8,
  handle(ctx, req: ProduceRequest) {
    const now = Date.now();
    const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
    const responses = req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) =>
        validAcks ? producePartition(ctx, req, t.name, p.index, p.records, now) : partitionError(p.index, ErrorCodes.INVALID_REQUIRED_ACKS, 'acks must be 0, 1 or -1'),
      ),
    }));
    if (req.acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
  errorBody: (req: ProduceRequest, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => partitionError(p.index, errorCode, 'injected fault')) })),
  }),
};

function producePartition(ctx: RequestContext, req: ProduceRequest, topicName: string, index: number, records: Buffer | null, now: number): any {
  const partition = ledPartition(ctx, topicName, index, AclOperation.WRITE);
  if (typeof partition === 'number') return partitionError(index, partition, null);
  if (!records || records.length === 0) return partitionError(index, ErrorCodes.INVALID_RECORD, 'no records');
  const maxBytes = ctx.cluster.topics.get(topicName)!.numericConfig('max.message.bytes');
  const check = ctx.apiVersion < 3 ? legacyToBatch(records, now, maxBytes) : checkProducerBatch(records, ctx.apiVersion, maxBytes);
  if (!check.ok) return partitionError(index, check.errorCode, check.message);
  const batch = check.batch;
  if (batch.isTransactional) {
    if (!req.transactionalId) return partitionError(index, ErrorCodes.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactional batch without transactionalId');
    if (!inTransaction(ctx, req.transactionalId, batch.producerId, topicName, index)) {
      return partitionError(index, ErrorCodes.INVALID_TXN_STATE, 'partition not added to the transaction');
    }
  }
  const result = partition.log.append(batch, now);
  return {
    index,
    errorCode: result.errorCode,
    baseOffset: result.errorCode === 0 ? result.baseOffset : -1,
    logAppendTimeMs: result.logAppendTimeMs,
    logStartOffset: result.logStartOffset,
    recordErrors: [],
    errorMessage: null,
  };
}

function partitionError(index: number, errorCode: number, message: string | null): any {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: message };
}

/** Whether AddPartitionsToTxn added this partition to the producer's open transaction. */
function inTransaction(ctx: RequestContext, transactionalId: string, producerId: number, topic: string, partition: number): boolean {
  const txn = ctx.cluster.txns.describe(transactionalId);
  if (!txn || txn.producerId !== producerId || txn.state !== 'Ongoing') return false;
  return txn.partitions.some((p) => p.topic === topic && p.partition === partition);
}
