/** What the executor reports about one checkpoint attempt. */
export interface CheckpointStats {
  id: number;
  /** From trigger to the last acknowledgement (or to the failure). */
  durationMs: number;
  /** Bytes written (0 when failed or unknown). */
  sizeBytes: number;
  /** Longest barrier alignment among the steps. */
  alignmentMs: number;
  ok: boolean;
}

/** A checkpoint attempt as kept in the status snapshot. */
export interface CheckpointRecord extends CheckpointStats {
  /** Wall-clock time the result was recorded (epoch ms). */
  recordedAtMs: number;
}

export interface StepStatus {
  step: string;
  recordsIn: number;
  recordsOut: number;
  busySeconds: number;
  backpressuredSeconds: number;
  /** Epoch ms; null before the first watermark. */
  watermark: number | null;
  errors: number;
  deadLetters: number;
  /** Records that arrived after their windows closed (sent to LATE_DATA, or dropped when nothing consumes it). */
  lateRecords: number;
}

export interface SplitStatus {
  step: string;
  split: string;
  pendingRecords: number;
  /** Epoch ms; null before the first watermark. */
  watermark: number | null;
  idle: boolean;
  paused: boolean;
}

/** Where the job's current attempt restored from (null: it started fresh). */
export interface RestoredFrom {
  id: number;
  kind: 'checkpoint' | 'savepoint';
  path: string;
  /** Why this point was chosen. */
  reason: string;
}

/** Lifecycle of a job: the states a status endpoint or a readiness probe reports. */
export type JobState = 'starting' | 'running' | 'restarting' | 'stopping' | 'finished' | 'drained' | 'suspended' | 'cancelled' | 'failed';

/** A JSON-serialisable picture of a running job, for status endpoints and tests. */
export interface JobStatusSnapshot {
  /** When the snapshot was taken (epoch ms). */
  takenAtMs: number;
  state: JobState;
  /** What the current attempt restored from; null when it started fresh; undefined before the first start. */
  restoredFrom?: RestoredFrom | null;
  /** In registration order. */
  steps: StepStatus[];
  /** Grouped by step, in registration order. */
  splits: SplitStatus[];
  checkpoints: {
    completed: number;
    failed: number;
    /** The last successful checkpoint, or null. */
    lastCompleted: CheckpointRecord | null;
    /** The most recent attempts, oldest first. */
    recent: CheckpointRecord[];
  };
  restarts: number;
}
