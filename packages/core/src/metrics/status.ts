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

/** A JSON-serialisable picture of a running job, for status endpoints and tests. */
export interface JobStatusSnapshot {
  /** When the snapshot was taken (epoch ms). */
  takenAtMs: number;
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
