/**
 * Side file holding a persistent log's start offset (moved by DeleteRecords and retention),
 * so the append-only batch file never has to be rewritten. Replaced atomically via rename.
 */
import * as fs from 'node:fs';

/** The stored start offset, or 0 when the file does not exist or is unreadable. */
export function readStartOffset(path: string): number {
  try {
    const value = Number(fs.readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}

/** Store `offset` durably enough for the log's mode (fsync before the rename when asked). */
export function writeStartOffset(path: string, offset: number, fsync: boolean): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, `${offset}\n`);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}
