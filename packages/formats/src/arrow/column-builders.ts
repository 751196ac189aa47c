/**
 * Column builders that write protobufjs values straight into Arrow buffers: no intermediate
 * objects, no bigint per int64 (Long halves go into the 64-bit slots directly), strings encoded
 * into one growing byte buffer. Each `finish()` returns an `arrow.Data` and resets the builder.
 */

import * as arrow from 'apache-arrow';

/** @internal */
export interface ColumnBuilder {
  /** Append one value; null/undefined appends a null. */
  append(value: unknown): void;
  finish(): arrow.Data;
}

const INITIAL = 1024;

/** Validity bitmap, allocated on the first null. */
class Validity {
  bitmap: Uint8Array | undefined;
  nullCount = 0;
  length = 0;

  valid(): void {
    if (this.bitmap) this.set(this.length, true);
    this.length++;
  }

  null(): void {
    if (!this.bitmap) {
      this.bitmap = new Uint8Array(Math.max(INITIAL >> 3, (this.length >> 3) + 64));
      this.bitmap.fill(0xff, 0, (this.length >> 3) + 1);
    }
    this.set(this.length, false);
    this.nullCount++;
    this.length++;
  }

  private set(i: number, on: boolean): void {
    let bitmap = this.bitmap!;
    if (i >> 3 >= bitmap.length) {
      const grown = new Uint8Array(bitmap.length * 2);
      grown.set(bitmap);
      bitmap = this.bitmap = grown;
    }
    if (on) bitmap[i >> 3]! |= 1 << (i & 7);
    else bitmap[i >> 3]! &= ~(1 << (i & 7));
  }

  /** Props for makeData, then reset. */
  take(): { length: number; nullCount: number; nullBitmap: Uint8Array | undefined } {
    const out = { length: this.length, nullCount: this.nullCount, nullBitmap: this.nullCount > 0 ? this.bitmap!.subarray(0, (this.length + 7) >> 3) : undefined };
    this.bitmap = undefined;
    this.nullCount = 0;
    this.length = 0;
    return out;
  }
}

type NumberArray = Int32Array | Uint32Array | Float32Array | Float64Array;

/** int32/uint32/float/double. */
export class NumberBuilder implements ColumnBuilder {
  private values: NumberArray;
  private readonly validity = new Validity();

  constructor(
    private readonly type: arrow.DataType,
    private readonly Ctor: { new (n: number): NumberArray },
  ) {
    this.values = new Ctor(INITIAL);
  }

  append(value: unknown): void {
    const i = this.validity.length;
    if (i >= this.values.length) this.values = grow(this.values, this.Ctor);
    if (value == null) {
      this.validity.null();
      this.values[i] = 0;
    } else {
      this.validity.valid();
      this.values[i] = value as number;
    }
  }

  finish(): arrow.Data {
    const v = this.validity.take();
    const data = this.values.slice(0, v.length);
    return arrow.makeData({ type: this.type, ...v, data } as any);
  }
}

function grow<T extends NumberArray | Uint8Array>(a: T, Ctor: { new (n: number): T }): T {
  const next = new Ctor(a.length * 2);
  next.set(a as any);
  return next;
}

const TWO_32 = 4294967296;

/**
 * 64-bit integers and timestamps: values are written as two 32-bit halves (little endian).
 * `toHalves` receives the protobufjs value and writes low/high at `i32[2 * i]`.
 */
export class Int64Builder implements ColumnBuilder {
  private halves = new Int32Array(INITIAL * 2);
  private readonly validity = new Validity();

  constructor(
    private readonly type: arrow.DataType,
    private readonly write: (halves: Int32Array, at: number, value: unknown) => void,
  ) {}

  append(value: unknown): void {
    const i = this.validity.length;
    if (2 * i >= this.halves.length) this.halves = grow(this.halves, Int32Array);
    if (value == null) {
      this.validity.null();
      this.halves[2 * i] = 0;
      this.halves[2 * i + 1] = 0;
    } else {
      this.validity.valid();
      this.write(this.halves, 2 * i, value);
    }
  }

  finish(): arrow.Data {
    const v = this.validity.take();
    const bytes = this.halves.slice(0, 2 * v.length).buffer;
    const unsigned = arrow.DataType.isInt(this.type) && !this.type.isSigned;
    const data = unsigned ? new BigUint64Array(bytes) : new BigInt64Array(bytes);
    return arrow.makeData({ type: this.type, ...v, data } as any);
  }
}

/** Write a protobufjs int64 value (Long, number, decimal string, bigint) as two halves. */
export function writeInt64(halves: Int32Array, at: number, value: unknown): void {
  if (typeof value === 'object') {
    const long = value as { low: number; high: number };
    halves[at] = long.low;
    halves[at + 1] = long.high;
  } else if (typeof value === 'number') {
    writeNumber(halves, at, value);
  } else {
    const big = BigInt.asUintN(64, BigInt(value as string | bigint));
    halves[at] = Number(big & 0xffffffffn);
    halves[at + 1] = Number(big >> 32n);
  }
}

function writeNumber(halves: Int32Array, at: number, n: number): void {
  if (Number.isSafeInteger(n)) {
    const high = Math.floor(n / TWO_32);
    halves[at] = n - high * TWO_32;
    halves[at + 1] = high;
  } else {
    writeInt64(halves, at, BigInt(Math.trunc(n)));
  }
}

/** A `google.protobuf.Timestamp` message -> ticks of `unitsPerSecond`. */
export function timestampWriter(unitsPerSecond: number): (halves: Int32Array, at: number, value: unknown) => void {
  const nanosPerUnit = 1e9 / unitsPerSecond;
  return (halves, at, value) => {
    const t = value as { seconds?: unknown; nanos?: number };
    const s = t.seconds;
    const seconds = s == null ? 0 : typeof s === 'number' ? s : typeof s === 'object' ? (s as { high: number }).high * TWO_32 + ((s as { low: number }).low >>> 0) : Number(s);
    const ticks = seconds * unitsPerSecond + Math.floor((t.nanos ?? 0) / nanosPerUnit);
    if (Number.isSafeInteger(ticks)) writeNumber(halves, at, ticks);
    else writeInt64(halves, at, BigInt(seconds) * BigInt(unitsPerSecond) + BigInt(Math.floor((t.nanos ?? 0) / nanosPerUnit)));
  };
}

/** Booleans as a bitmap. */
export class BoolBuilder implements ColumnBuilder {
  private bits = new Uint8Array(INITIAL >> 3);
  private readonly validity = new Validity();

  append(value: unknown): void {
    const i = this.validity.length;
    if (i >> 3 >= this.bits.length) this.bits = grow(this.bits, Uint8Array);
    if (value == null) this.validity.null();
    else {
      this.validity.valid();
      if (value) this.bits[i >> 3]! |= 1 << (i & 7);
    }
  }

  finish(): arrow.Data {
    const v = this.validity.take();
    const data = this.bits.slice(0, (v.length + 7) >> 3);
    this.bits.fill(0, 0, data.length);
    return arrow.makeData({ type: new arrow.Bool(), ...v, data } as any);
  }
}

const encoder = new TextEncoder();

/** Variable-width values: strings (UTF-8) or bytes. */
export class VarBinaryBuilder implements ColumnBuilder {
  private offsets = new Int32Array(INITIAL + 1);
  private bytes = new Uint8Array(INITIAL * 16);
  private end = 0;
  private readonly validity = new Validity();

  constructor(private readonly type: arrow.Utf8 | arrow.Binary) {}

  append(value: unknown): void {
    const i = this.validity.length;
    if (i + 1 >= this.offsets.length) this.offsets = grow(this.offsets, Int32Array);
    if (value == null) this.validity.null();
    else {
      this.validity.valid();
      if (typeof value === 'string') this.appendString(value);
      else this.appendBytes(value as Uint8Array);
    }
    this.offsets[i + 1] = this.end;
  }

  /** Pre-encoded bytes (enum names). */
  appendBytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.bytes.set(b, this.end);
    this.end += b.length;
  }

  private appendString(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const bytes = this.bytes;
    let at = this.end;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) {
        at += encoder.encodeInto(s.slice(k), bytes.subarray(at)).written;
        break;
      }
      bytes[at++] = c;
    }
    this.end = at;
  }

  private ensure(extra: number): void {
    if (this.end + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.end + extra));
    next.set(this.bytes.subarray(0, this.end));
    this.bytes = next;
  }

  finish(): arrow.Data {
    const v = this.validity.take();
    const valueOffsets = this.offsets.slice(0, v.length + 1);
    const data = this.bytes.slice(0, this.end);
    this.end = 0;
    this.offsets[0] = 0;
    return arrow.makeData({ type: this.type, ...v, valueOffsets, data } as any);
  }
}

/** Enum numbers -> their names as Utf8 (names encoded once). */
export class EnumStringBuilder implements ColumnBuilder {
  private readonly inner = new VarBinaryBuilder(new arrow.Utf8());
  private readonly encoded = new Map<number, Uint8Array>();

  constructor(private readonly names: Record<number, string>) {}

  append(value: unknown): void {
    if (typeof value !== 'number') return this.inner.append(value);
    let bytes = this.encoded.get(value);
    if (!bytes) this.encoded.set(value, (bytes = encoder.encode(this.names[value] ?? String(value))));
    this.inner.append(bytes);
  }

  finish(): arrow.Data {
    return this.inner.finish();
  }
}

/** Enum numbers -> dictionary indexes; the dictionary is the enum's value names (plus any unknown numbers seen). */
export class EnumDictionaryBuilder implements ColumnBuilder {
  private readonly indexes: NumberBuilder;
  private readonly slot = new Map<string, number>();
  private readonly dictionary: string[] = [];

  constructor(
    private readonly type: arrow.Dictionary<arrow.Utf8, arrow.Int32>,
    private readonly names: Record<number, string>,
  ) {
    this.indexes = new NumberBuilder(new arrow.Int32(), Int32Array);
  }

  append(value: unknown): void {
    if (value == null) return this.indexes.append(null);
    const name = typeof value === 'number' ? (this.names[value] ?? String(value)) : String(value);
    let index = this.slot.get(name);
    if (index === undefined) {
      index = this.dictionary.push(name) - 1;
      this.slot.set(name, index);
    }
    this.indexes.append(index);
  }

  finish(): arrow.Data {
    const indexes = this.indexes.finish();
    const dictionary = arrow.vectorFromArray(this.dictionary, new arrow.Utf8());
    return arrow.makeData({ type: this.type, length: indexes.length, nullCount: indexes.nullCount, nullBitmap: indexes.nullBitmap, data: indexes.values, dictionary } as any);
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A field of a protobufjs message: fields with explicit presence read as null unless set (the
 * message prototype carries defaults for unset fields, e.g. "" for an inactive oneof member).
 */
export function fieldValue(message: Record<string, unknown>, name: string, presence: boolean): unknown {
  return presence && !hasOwn.call(message, name) ? null : message[name];
}

/** Messages: one child builder per field. */
export class StructBuilder implements ColumnBuilder {
  private readonly validity = new Validity();

  constructor(
    private readonly type: arrow.Struct,
    private readonly names: readonly string[],
    private readonly presence: readonly boolean[],
    private readonly children: readonly ColumnBuilder[],
  ) {}

  append(value: unknown): void {
    const children = this.children;
    if (value == null) {
      this.validity.null();
      for (let c = 0; c < children.length; c++) children[c]!.append(null);
      return;
    }
    this.validity.valid();
    const m = value as Record<string, unknown>;
    for (let c = 0; c < children.length; c++) children[c]!.append(fieldValue(m, this.names[c]!, this.presence[c]!));
  }

  finish(): arrow.Data {
    const v = this.validity.take();
    return arrow.makeData({ type: this.type, ...v, children: this.children.map((c) => c.finish()) } as any);
  }
}

/** Lists and maps: a validity bitmap and offsets into child columns. */
abstract class OffsetsBuilder implements ColumnBuilder {
  private offsets = new Int32Array(INITIAL + 1);
  private count = 0;
  private readonly validity = new Validity();

  append(value: unknown): void {
    const i = this.validity.length;
    if (i + 1 >= this.offsets.length) this.offsets = grow(this.offsets, Int32Array);
    if (value == null) this.validity.null();
    else {
      this.validity.valid();
      this.count += this.appendItems(value);
    }
    this.offsets[i + 1] = this.count;
  }

  /** Append the items of one (non-null) value to the child columns; returns how many. */
  protected abstract appendItems(value: unknown): number;

  /** Validity and offsets for makeData, then reset. */
  protected take(): { length: number; nullCount: number; nullBitmap: Uint8Array | undefined; valueOffsets: Int32Array } {
    const v = this.validity.take();
    const valueOffsets = this.offsets.slice(0, v.length + 1);
    this.count = 0;
    return { ...v, valueOffsets };
  }

  abstract finish(): arrow.Data;
}

/** Repeated fields: offsets into a child column. */
export class ListBuilder extends OffsetsBuilder {
  constructor(
    private readonly type: arrow.List,
    private readonly child: ColumnBuilder,
  ) {
    super();
  }

  protected appendItems(value: unknown): number {
    const a = value as unknown[];
    for (let k = 0; k < a.length; k++) this.child.append(a[k]);
    return a.length;
  }

  finish(): arrow.Data {
    return arrow.makeData({ type: this.type, ...this.take(), child: this.child.finish() } as any);
  }
}

/** Map fields: protobufjs map objects (string keys) -> offsets into key and value columns. */
export class MapBuilder extends OffsetsBuilder {
  constructor(
    private readonly type: arrow.Map_,
    private readonly keyOf: (key: string) => unknown,
    private readonly keys: ColumnBuilder,
    private readonly values: ColumnBuilder,
  ) {
    super();
  }

  protected appendItems(value: unknown): number {
    const m = value as Record<string, unknown>;
    let n = 0;
    for (const k in m) {
      this.keys.append(this.keyOf(k));
      this.values.append(m[k]);
      n++;
    }
    return n;
  }

  finish(): arrow.Data {
    const props = this.take();
    const keys = this.keys.finish();
    const entriesType = this.type.children[0]!.type as arrow.Struct;
    const child = arrow.makeData({ type: entriesType, length: keys.length, nullCount: 0, children: [keys, this.values.finish()] });
    return arrow.makeData({ type: this.type, ...props, child } as any);
  }
}

/** Unwraps `google.protobuf.*Value` wrappers (null when the wrapper is unset). */
export class UnwrapBuilder implements ColumnBuilder {
  constructor(private readonly inner: ColumnBuilder) {}

  append(value: unknown): void {
    this.inner.append(value == null ? null : (value as { value: unknown }).value);
  }

  finish(): arrow.Data {
    return this.inner.finish();
  }
}
