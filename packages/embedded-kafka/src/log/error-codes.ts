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
