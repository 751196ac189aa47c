/** How the sink reads a {@link KafkaTransportError}: transport-neutral classification. */

import { KafkaTransportError, StaleMetadataError } from './types.js';

/**
 * Errors after which the same request may succeed (bounded by the caller's delivery timeout);
 * stale metadata (a leader or broker the cluster no longer has) succeeds once it is reloaded.
 */
export function isRetriable(err: unknown): boolean {
  return (err instanceof KafkaTransportError && err.retriable) || err instanceof StaleMetadataError;
}

/** The producer was fenced: a newer InitProducerId for the same transactional id happened. */
export function isFenced(err: unknown): boolean {
  const t = err instanceof KafkaTransportError ? err.type : undefined;
  return t === 'INVALID_PRODUCER_EPOCH' || t === 'PRODUCER_FENCED';
}

export function errorText(err: unknown): string {
  if (err instanceof KafkaTransportError) return err.type ?? err.message;
  return (err as { message?: string })?.message ?? String(err);
}

/**
 * Protocol errors that never go away by retrying the same request, whatever a client library
 * says (fencing, sequence gaps, authorisation, malformed or oversized records).
 */
export const FATAL_TYPES = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_TXN_STATE',
  'INVALID_PRODUCER_ID_MAPPING',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'INVALID_TRANSACTION_TIMEOUT',
  'UNKNOWN_PRODUCER_ID',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** Protocol errors worth retrying beyond what client libraries mark retriable. */
export const ALSO_RETRIABLE = new Set(['CONCURRENT_TRANSACTIONS', 'COORDINATOR_LOAD_IN_PROGRESS', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);
