/**
 * The feature definitions: what a data scientist writes once. Everything else (steps, keyed state,
 * checkpoints, the files) comes from compiling them into a job.
 */

import { defineFeatureGroup } from '@weir/operators/features';
import type { Login, Transaction } from './events.js';

/** Spend per user over the last minute, hour and day (approved payments only). */
export const userSpend = defineFeatureGroup<Transaction>({
  name: 'user_spend',
  source: 'transactions',
  key: 'user',
  filter: (t) => t.status === 'approved',
  horizons: ['1m', '1h', '24h'],
  aggregations: [
    { op: 'count', name: 'txns' },
    { op: 'sum', field: 'amount' },
    { op: 'max', field: 'amount' },
    { op: 'approx_distinct', field: 'merchant', name: 'merchants' },
  ],
  onInvalid: 'dead-letter',
});

/** Failed logins per user and device over the last 5 minutes and hour. */
export const loginFailures = defineFeatureGroup<Login>({
  name: 'login_failures',
  source: 'logins',
  key: ['user', 'device'],
  filter: (l) => !l.ok,
  horizons: ['5m', '1h'],
  resolution: '1m',
  aggregations: [
    { op: 'count', name: 'failures' },
    { op: 'approx_distinct', field: 'ip', name: 'ips' },
    { op: 'avg', field: 'latencyMs' },
    { op: 'min', field: 'latencyMs' },
  ],
});
