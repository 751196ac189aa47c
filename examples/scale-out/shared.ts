/** Names and data shapes shared by the scale-out instances and the driver. */

export const JOB_NAME = 'scale-out';
export const ORDERS_TOPIC = 'orders';
export const SUMS_TOPIC = 'customer-window-sums';
/** Key groups of the job: 12, so 2, 3 and 4 instances each own whole, equal ranges. */
export const MAX_PARALLELISM = 12;
export const INPUT_PARTITIONS = 12;
export const WINDOW_MS = 1000;
/**
 * Checkpoint interval: results become visible (Kafka transaction, published part files) at
 * each checkpoint; every checkpoint of every instance costs a few dozen requests on the object
 * store, and the test server (s3rver) serves about 100-150 a second on 2 busy cores.
 */
export const CHECKPOINT_INTERVAL_MS = 1000;
/** The file sink's table of window sums (a directory under the files prefix). */
export const SUMS_TABLE = 'customer-window-sums';
/** Key prefixes under the run's S3 prefix: instance i's checkpoints, and the file sink's tables. */
export const checkpointPrefix = (i: number | string): string => `checkpoints/instance-${i}/`;
export const TABLES_PREFIX = 'tables/';

export interface Order {
  id: number;
  customer: string;
  amount: number;
  ts: number;
}

export interface WindowSum {
  customer: string;
  start: number;
  sum: number;
}
