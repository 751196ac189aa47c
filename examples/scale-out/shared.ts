/** Names and data shapes shared by the scale-out instances and the driver. */

export const JOB_NAME = 'scale-out';
export const ORDERS_TOPIC = 'orders';
export const SUMS_TOPIC = 'customer-window-sums';
/** Key groups of the job: 12, so 2, 3 and 4 instances each own whole, equal ranges. */
export const MAX_PARALLELISM = 12;
export const INPUT_PARTITIONS = 12;
export const WINDOW_MS = 1000;

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
