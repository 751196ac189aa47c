/**
 * What an instance process is told, by environment variable, and how it says it is ready.
 * `InstanceSet` and `weir-instances` set these for every instance they start; an instance
 * program reads them with `instanceEnv()` and passes them to its `Pipeline`.
 */

import { z } from 'zod';

/** The environment variables an instance gets (documented names: part of the API). */
export const INSTANCE_ENV = {
  /** This instance's index, 0..count-1: the pipeline's `subtask`. */
  instance: 'WEIR_INSTANCE',
  /** How many instances run: the pipeline's `parallelism`. */
  instances: 'WEIR_INSTANCES',
  /** This instance's checkpoint location (a directory or `s3://bucket/prefix/`), the same for index i across runs. */
  checkpoints: 'WEIR_CHECKPOINTS',
  /** The savepoint set to restore, comma-separated in instance order; empty when there is none. */
  restoreFrom: 'WEIR_RESTORE_FROM',
} as const;

export interface InstanceEnv {
  instance: number;
  instances: number;
  checkpoints: string;
  /** The savepoint set to pass as `restoreFrom`, or undefined (restore the instance's own newest checkpoint, if any). */
  restoreFrom: string[] | undefined;
}

const integer = (min: number) => z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min));
const envSchema = z
  .object({
    [INSTANCE_ENV.instance]: integer(0),
    [INSTANCE_ENV.instances]: integer(1),
    [INSTANCE_ENV.checkpoints]: z.string().min(1),
    [INSTANCE_ENV.restoreFrom]: z.string().optional(),
  })
  .refine((e) => e[INSTANCE_ENV.instance] < e[INSTANCE_ENV.instances], { message: `${INSTANCE_ENV.instance} must be below ${INSTANCE_ENV.instances}` });

/** Read the instance's settings from `env` (default `process.env`); a missing or bad variable is a clear error. */
export function instanceEnv(env: NodeJS.ProcessEnv = process.env): InstanceEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`).join('; ');
    throw new Error(`this program runs as a Weir instance and expects ${Object.values(INSTANCE_ENV).join(', ')} (set by InstanceSet / weir-instances): ${problems}`);
  }
  const e = parsed.data;
  const restore = e[INSTANCE_ENV.restoreFrom];
  return {
    instance: e[INSTANCE_ENV.instance],
    instances: e[INSTANCE_ENV.instances],
    checkpoints: e[INSTANCE_ENV.checkpoints],
    restoreFrom: restore === undefined || restore === '' ? undefined : restore.split(','),
  };
}

/** The message an instance sends its parent over the IPC channel once SIGTERM suspends it. */
export const READY_MESSAGE = { weir: 'instance-ready' } as const;

export interface InstanceReadyOptions {
  /**
   * The signal on which this program drains its job — it called
   * `stopOnSignals(job, { mode: 'drain', signals: [drainSignal] })` — so `InstanceSet.drainAll()`
   * (`POST /drain`) can end the job for good on every instance at once. Not SIGTERM or SIGINT
   * (those suspend), nor SIGKILL or SIGSTOP (they cannot be handled). Without it the set refuses
   * to drain (e.g. `'SIGUSR2'`).
   */
  drainSignal?: NodeJS.Signals;
}

const UNUSABLE_DRAIN_SIGNALS: readonly string[] = ['SIGTERM', 'SIGINT', 'SIGKILL', 'SIGSTOP'];

/**
 * Tell the process that started this instance that SIGTERM now suspends it (call it right after
 * `stopOnSignals(job)`): a SIGTERM before that would end the process without a savepoint, so
 * `InstanceSet` waits for this before it suspends. With `drainSignal`, also that this signal
 * drains it. Does nothing without a parent IPC channel.
 */
export function instanceReady(options: InstanceReadyOptions = {}): void {
  const drain = options.drainSignal;
  if (drain !== undefined && UNUSABLE_DRAIN_SIGNALS.includes(drain)) {
    throw new Error(`instanceReady: drainSignal ${drain} cannot be the drain signal (SIGTERM and SIGINT suspend; SIGKILL and SIGSTOP cannot be handled): use e.g. SIGUSR2`);
  }
  if (process.send === undefined) return;
  // the channel must not keep the instance alive once its job is done
  process.send({ ...READY_MESSAGE, ...(drain !== undefined ? { drainSignal: drain } : {}) }, undefined, {}, () => process.channel?.unref());
}

/** The value of `WEIR_RESTORE_FROM` for a savepoint set (paths must not contain commas). */
export function restoreFromValue(paths: readonly string[]): string {
  for (const p of paths) if (p.includes(',')) throw new Error(`savepoint path ${p} contains a comma, which ${INSTANCE_ENV.restoreFrom} uses to separate paths: use checkpoint locations without commas`);
  return paths.join(',');
}
