/** Options of an instance set, validated (unknown keys get a did-you-mean). */

import { z } from 'zod';
import { count, durationMs, fn, schemaFor, strictObject, type CheckpointStorage } from '@weir/core';

export interface InstanceSetOptions {
  /** The instance program as argv, e.g. `[process.execPath, 'dist/job.js']`; every instance runs it. */
  command: readonly string[];
  /**
   * Checkpoint location of instance i, as a template with `{i}`: `/data/orders/instance-{i}` or
   * `s3://bucket/orders/instance-{i}/`. Instance i keeps it across rescales, so its own newer
   * checkpoints win after a crash. Passed as `WEIR_CHECKPOINTS`.
   */
  checkpoints: string;
  /**
   * How to open instance i's checkpoint storage (to read its savepoint after a suspend). Default:
   * a local directory, or `@weir/s3` for `s3://` locations (endpoint from `AWS_ENDPOINT_URL_S3`).
   */
  storageOf?: (instance: number, location: string) => CheckpointStorage | Promise<CheckpointStorage>;
  /** Extra environment for every instance (on top of this process's). */
  env?: Record<string, string>;
  /** Working directory of the instances (default: this process's). */
  cwd?: string;
  /** Each line an instance prints (stdout and stderr). */
  onLine?: (instance: number, line: string) => void;
  /** An instance ended on its own (a crash: not by `suspendAll`, `kill` or `killAll`); `restart(i)` starts it again. */
  onExit?: (instance: number, exit: { code: number | null; signal: string | null }, lastLines: string[]) => void;
  /** How long an instance may take to call `instanceReady()` before a suspend gives up on it (default 60 s). */
  readyTimeoutMs?: number;
  /** How long an instance may take from SIGTERM to exit (default 60 s; above its `stopGracePeriodMs`). */
  suspendTimeoutMs?: number;
  /** How long an instance may take from its drain signal to exit (default 120 s: it waits for every other instance's input to end). */
  drainTimeoutMs?: number;
  /** Lines of output kept per instance for error messages and status (default 20). */
  keepLines?: number;
}

export const instanceSetOptionsSchema = schemaFor<InstanceSetOptions>()(
  strictObject({
    command: z.array(z.string().min(1)).min(1).readonly(),
    checkpoints: z.string().includes('{i}', { message: 'must contain {i}: every instance needs its own location, e.g. /data/job/instance-{i}' }),
    storageOf: fn<NonNullable<InstanceSetOptions['storageOf']>>().optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().min(1).optional(),
    onLine: fn<NonNullable<InstanceSetOptions['onLine']>>().optional(),
    onExit: fn<NonNullable<InstanceSetOptions['onExit']>>().optional(),
    readyTimeoutMs: durationMs().optional(),
    suspendTimeoutMs: durationMs().optional(),
    drainTimeoutMs: durationMs().optional(),
    keepLines: count(1).optional(),
  }),
);
