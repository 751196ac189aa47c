/**
 * Loaded by the core and files crash jobs through `WEIR_CRASH_STORAGE`: their checkpoint and
 * file storages on the S3-compatible store described by `WEIR_CRASH_S3` (JSON S3Options), one
 * key prefix per directory name the job was given.
 */

import { basename } from 'node:path';
import type { CheckpointStorage } from '@weir/core';
import type { FileStorage } from '@weir/files';
import { s3CheckpointStorage, s3FileStorage, type S3Options } from '../../src/index.js';

const options = JSON.parse(process.env.WEIR_CRASH_S3 ?? 'null') as S3Options | null;
if (options === null) throw new Error('WEIR_CRASH_S3 is not set');
const under = (name: string): S3Options => ({ ...options, prefix: `${options.prefix ?? ''}${basename(name)}/` });

export const checkpointStorage = (name: string): CheckpointStorage => s3CheckpointStorage(under(name));
export const fileStorage = (name: string): FileStorage => s3FileStorage(under(name));
