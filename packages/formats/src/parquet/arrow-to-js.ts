/** Arrow columns -> plain JS values, column-wise and exact (for the row/column-array Parquet engines). */

import * as arrow from 'apache-arrow';

/**
 * The values of one Arrow column as a JS array (or a typed array for null-free numeric columns):
 * int64 and timestamps as bigint (timestamps in their unit), structs as objects, lists as arrays,
 * maps as `Map`s, nulls as null.
 */
export function columnValues(data: arrow.Data): unknown[] | ArrayLike<number> {
  const type = data.type;
  const n = data.length;
  const valid = data.nullCount > 0 ? (i: number) => data.getValid(i) : () => true;
  if (arrow.DataType.isTimestamp(type)) {
    const values = data.values as BigInt64Array;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = valid(i) ? values[data.offset + i] : null;
    return out;
  }
  if (arrow.DataType.isStruct(type)) {
    const names = type.children.map((c) => c.name);
    const columns = data.children.map((c) => columnValues(c));
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (!valid(i)) {
        out[i] = null;
        continue;
      }
      const row: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![i];
      out[i] = row;
    }
    return out;
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isMap(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const items = columnValues(data.children[0]!) as unknown[];
    const isMap = arrow.DataType.isMap(type);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (!valid(i)) {
        out[i] = null;
        continue;
      }
      const start = offsets[data.offset + i]!;
      const end = offsets[data.offset + i + 1]!;
      if (isMap) {
        const m = new Map<unknown, unknown>();
        for (let j = start; j < end; j++) {
          const e = items[j] as { key: unknown; value: unknown };
          m.set(e.key, e.value);
        }
        out[i] = m;
      } else {
        out[i] = Array.prototype.slice.call(items, start, end);
      }
    }
    return out;
  }
  if (data.nullCount === 0 && (arrow.DataType.isFloat(type) || (arrow.DataType.isInt(type) && type.bitWidth <= 32))) {
    return (data.values as Int32Array | Float64Array).subarray(data.offset, data.offset + n);
  }
  const vector = arrow.makeVector(data);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = valid(i) ? vector.get(i) : null;
  return out;
}
