/**
 * Arrow columns from plain values, fast for the common types: fixed-width numbers and UTF-8
 * strings are written straight into typed arrays with a validity bitmap instead of going
 * through arrow's generic builders value by value (`vectorFromArray`); any other type falls back
 * to `vectorFromArray`.
 */

import * as arrow from 'apache-arrow';

type NumericArray = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | BigInt64Array | BigUint64Array;
const encoder = new TextEncoder();

function validity(values: readonly unknown[]): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  for (const v of values) if (v === null || v === undefined) nulls++;
  if (nulls === 0) return { bitmap: undefined, nulls };
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) bitmap[i >> 3]! |= 1 << (i & 7);
  return { bitmap, nulls };
}

function numericArray(type: arrow.DataType, length: number): NumericArray | undefined {
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.DOUBLE ? new Float64Array(length) : type.precision === arrow.Precision.SINGLE ? new Float32Array(length) : undefined;
  if (!arrow.DataType.isInt(type)) return undefined;
  const t = type as arrow.Int;
  switch (t.bitWidth) {
    case 64:
      return t.isSigned ? new BigInt64Array(length) : new BigUint64Array(length);
    case 32:
      return t.isSigned ? new Int32Array(length) : new Uint32Array(length);
    case 16:
      return t.isSigned ? new Int16Array(length) : new Uint16Array(length);
    default:
      return t.isSigned ? new Int8Array(length) : new Uint8Array(length);
  }
}

/** One column of `type` holding `values` (null or undefined = null). */
export function columnOf(type: arrow.DataType, values: readonly unknown[]): arrow.Vector {
  const length = values.length;
  const numeric = numericArray(type, length);
  if (numeric !== undefined) {
    const { bitmap, nulls } = validity(values);
    const big = numeric instanceof BigInt64Array || numeric instanceof BigUint64Array;
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (big) (numeric as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(v as number);
      else (numeric as Float64Array)[i] = Number(v);
    }
    return arrow.makeVector(arrow.makeData({ type, length, nullCount: nulls, ...(bitmap ? { nullBitmap: bitmap } : {}), data: numeric } as never));
  }
  if (arrow.DataType.isUtf8(type)) {
    const { bitmap, nulls } = validity(values);
    const chunks: Uint8Array[] = new Array<Uint8Array>(length);
    const offsets = new Int32Array(length + 1);
    let bytes = 0;
    for (let i = 0; i < length; i++) {
      const v = values[i];
      const b = v === null || v === undefined ? EMPTY : encoder.encode(String(v));
      chunks[i] = b;
      bytes += b.length;
      offsets[i + 1] = bytes;
    }
    const data = new Uint8Array(bytes);
    for (let i = 0; i < length; i++) data.set(chunks[i]!, offsets[i]!);
    return arrow.makeVector(arrow.makeData({ type: type as arrow.Utf8, length, nullCount: nulls, ...(bitmap ? { nullBitmap: bitmap } : {}), valueOffsets: offsets, data }));
  }
  return arrow.vectorFromArray(values.map((v) => v ?? null), type);
}

const EMPTY = new Uint8Array(0);
