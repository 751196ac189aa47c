/**
 * The append-only file behind a persistent partition log. Each frame is
 *   u32 length (kind byte + payload) | u32 CRC-32C (kind byte + payload) | u8 kind | payload
 * and is written with one synchronous writev before the append returns, so an ack sent after
 * it survives a SIGKILL (the bytes are in the OS page cache); `fsync` also survives power loss.
 * On open the frames are replayed and a torn or corrupt tail is truncated.
 */
import * as fs from 'node:fs';
import { crc32c } from '../protocol/index.js';

/** What a frame holds. */
export const FrameKind = { Batch: 0, CommitMarker: 1, AbortMarker: 2 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const HEADER = 9;
const READ_CHUNK = 8 << 20;

export class LogFile {
  private constructor(
    private fd: number,
    private readonly fsync: boolean,
  ) {}

  /**
   * Open (creating if needed) the file at `path`, call `onFrame` for every intact frame in order
   * (payloads are private copies), cut off anything after the last intact frame, and return
   * the file ready for appends.
   */
  static open(path: string, fsync: boolean, onFrame: (kind: FrameKind, payload: Buffer) => void): LogFile {
    const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    try {
      const valid = replay(fd, onFrame);
      if (fs.fstatSync(fd).size > valid) {
        fs.ftruncateSync(fd, valid);
        if (fsync) fs.fsyncSync(fd);
      }
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    fs.closeSync(fd);
    return new LogFile(fs.openSync(path, 'a'), fsync);
  }

  /** Append one frame durably (to the OS; to the disk too when opened with `fsync`). */
  append(kind: FrameKind, payload: Buffer): void {
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32BE(payload.length + 1, 0);
    header[8] = kind;
    header.writeUInt32BE(crc32c(payload, 0, payload.length, crc32c(header, 8, 9)), 4);
    writeAll(this.fd, header, payload);
    if (this.fsync) fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}

function writeAll(fd: number, header: Buffer, payload: Buffer): void {
  const total = header.length + payload.length;
  let written = fs.writevSync(fd, [header, payload]);
  // A regular file normally takes the whole writev; finish a short write piecewise.
  while (written < total) {
    const rest =
      written < header.length
        ? Buffer.concat([header.subarray(written), payload])
        : payload.subarray(written - header.length);
    written += fs.writeSync(fd, rest);
  }
}

/** Feed intact frames to `onFrame`; return the byte length of the intact prefix. */
function replay(fd: number, onFrame: (kind: FrameKind, payload: Buffer) => void): number {
  const size = fs.fstatSync(fd).size;
  let buf: Buffer = Buffer.alloc(0);
  let bufStart = 0; // file position of buf[0]
  let pos = 0; // file position of the next frame
  for (;;) {
    if (pos + HEADER > size) return pos;
    if (pos + HEADER > bufStart + buf.length) {
      [buf, bufStart] = readAt(fd, pos, READ_CHUNK, size);
      if (buf.length < HEADER) return pos;
    }
    let at = pos - bufStart;
    const length = buf.readUInt32BE(at);
    const end = pos + 8 + length;
    if (length < 1 || end > size) return pos;
    if (end > bufStart + buf.length) {
      [buf, bufStart] = readAt(fd, pos, Math.max(8 + length, READ_CHUNK), size);
      if (buf.length < 8 + length) return pos;
      at = 0;
    }
    const expected = buf.readUInt32BE(at + 4);
    if (crc32c(buf, at + 8, at + 8 + length) !== expected) return pos;
    onFrame(buf[at + 8]! as FrameKind, Buffer.from(buf.subarray(at + HEADER, at + 8 + length)));
    pos = end;
  }
}

function readAt(fd: number, position: number, length: number, size: number): [Buffer, number] {
  const n = Math.min(length, size - position);
  const buf = Buffer.allocUnsafe(n);
  let got = 0;
  while (got < n) {
    const r = fs.readSync(fd, buf, got, n - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return [buf.subarray(0, got), position];
}
