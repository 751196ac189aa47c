/**
 * @weir/s3 — checkpoints and file-sink output on S3-compatible object storage (AWS S3, MinIO,
 * Ceph, R2, …): `s3CheckpointStorage` for `checkpoints.storage`, `s3FileStorage` for
 * `bucketedFileSink({ storage })`.
 */

export { s3CheckpointStorage } from './checkpoint/s3-checkpoint-storage.js';
export { s3FileStorage } from './files/s3-file-storage.js';
export type { S3Credentials, S3Options } from './options.js';
