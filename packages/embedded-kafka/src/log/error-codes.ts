/** Kafka error codes the partition log returns (a subset of the protocol's table). */
export const NONE = 0;
export const OFFSET_OUT_OF_RANGE = 1;
export const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
/** Used instead of PRODUCER_FENCED (90): KafkaJS speaks protocol versions that predate 90. */
export const INVALID_PRODUCER_EPOCH = 47;
export const INVALID_RECORD = 87;

/** Thrown by log operations whose signature cannot carry an error code (e.g. a fenced marker). */
export class PartitionLogError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PartitionLogError';
  }
}
