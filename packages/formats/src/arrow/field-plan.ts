/**
 * Per-field plans: the Arrow type of each protobuf field, the type its builder uses (timestamps
 * are built as exact int64 and retyped afterwards) and the converter from protobufjs values.
 */

import * as arrow from 'apache-arrow';
import protobuf from 'protobufjs';

/** How protobuf maps to Arrow. */
export interface ArrowMappingOptions {
  /** Unit of `google.protobuf.Timestamp` columns (UTC); default `'us'`. */
  timestampUnit?: 'ms' | 'us';
  /** Enums as plain strings (default) or dictionary-encoded strings. */
  enums?: 'string' | 'dictionary';
}

/** @internal */
export interface FieldPlan {
  field: arrow.Field;
  /** Type the column builder is made with (no Timestamp inside). */
  buildType: arrow.DataType;
  convert: (value: unknown) => unknown;
}

type Converter = (value: unknown) => unknown;
interface TypePlan {
  type: arrow.DataType;
  buildType: arrow.DataType;
  convert: Converter;
}

const identity: Converter = (v) => v;
const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map((n) => `.google.protobuf.${n}`));

/** Plans for every field of `type`, in field-number order. */
export function planFields(type: protobuf.Type, options: ArrowMappingOptions): FieldPlan[] {
  return planMessageFields(type, options, new Set());
}

function planMessageFields(type: protobuf.Type, options: ArrowMappingOptions, visiting: Set<string>): FieldPlan[] {
  if (visiting.has(type.fullName)) throw new Error(`recursive message type ${type.fullName.slice(1)} cannot be mapped to an Arrow schema`);
  visiting.add(type.fullName);
  type.resolveAll();
  const plans = [...type.fieldsArray]
    .sort((a, b) => a.id - b.id)
    .map((f) => {
      const plan = planField(f, options, visiting);
      return { field: new arrow.Field(f.name, plan.type, true), buildType: plan.buildType, convert: plan.convert };
    });
  visiting.delete(type.fullName);
  return plans;
}

function planField(field: protobuf.Field, options: ArrowMappingOptions, visiting: Set<string>): TypePlan {
  if (field instanceof protobuf.MapField) {
    const key = scalarPlan(field.keyType, field);
    const value = valuePlan(field, options, visiting);
    const entries = (b: arrow.DataType, k: arrow.DataType) =>
      new arrow.Field('entries', new arrow.Struct([new arrow.Field('key', k, false), new arrow.Field('value', b, true)]), false);
    const keyOf = mapKeyConverter(field.keyType);
    return {
      type: new arrow.Map_(entries(value.type, key.type), false),
      buildType: new arrow.Map_(entries(value.buildType, key.buildType), false),
      convert: (v) => {
        if (v == null) return null;
        const out = new Map<unknown, unknown>();
        for (const k of Object.keys(v as object)) out.set(keyOf(k), value.convert((v as Record<string, unknown>)[k]));
        return out;
      },
    };
  }
  const element = valuePlan(field, options, visiting);
  if (!field.repeated) return element;
  const convert = element.convert;
  return {
    type: new arrow.List(new arrow.Field('item', element.type, true)),
    buildType: new arrow.List(new arrow.Field('item', element.buildType, true)),
    convert:
      convert === identity
        ? identity
        : (v) => {
            if (v == null) return null;
            const a = v as unknown[];
            const out = new Array<unknown>(a.length);
            for (let i = 0; i < a.length; i++) out[i] = convert(a[i]);
            return out;
          },
  };
}

/** The plan of one (non-repeated) value of the field's type. */
function valuePlan(field: protobuf.Field, options: ArrowMappingOptions, visiting: Set<string>): TypePlan {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return enumPlan(resolved, options);
  if (resolved instanceof protobuf.Type) return messagePlan(resolved, options, visiting);
  return scalarPlan(field.type, field);
}

function enumPlan(e: protobuf.Enum, options: ArrowMappingOptions): TypePlan {
  const names = e.valuesById;
  const type = options.enums === 'dictionary' ? new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()) : new arrow.Utf8();
  return { type, buildType: type, convert: (v) => (v == null ? null : typeof v === 'number' ? (names[v] ?? String(v)) : v) };
}

function messagePlan(type: protobuf.Type, options: ArrowMappingOptions, visiting: Set<string>): TypePlan {
  if (type.fullName === '.google.protobuf.Timestamp') return timestampPlan(options.timestampUnit ?? 'us');
  if (WRAPPERS.has(type.fullName)) {
    const inner = planField(type.fields.value!, options, visiting);
    return { ...inner, convert: (v) => (v == null ? null : inner.convert((v as { value: unknown }).value)) };
  }
  const children = planMessageFields(type, options, visiting);
  const names = children.map((c) => c.field.name);
  const converts = children.map((c) => c.convert);
  return {
    type: new arrow.Struct(children.map((c) => c.field)),
    buildType: new arrow.Struct(children.map((c) => new arrow.Field(c.field.name, c.buildType, true))),
    convert: (v) => {
      if (v == null) return null;
      const m = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) out[names[i]!] = converts[i]!(m[names[i]!]);
      return out;
    },
  };
}

function timestampPlan(unit: 'ms' | 'us'): TypePlan {
  const type = unit === 'ms' ? new arrow.TimestampMillisecond('UTC') : new arrow.TimestampMicrosecond('UTC');
  const perSecond = unit === 'ms' ? 1000n : 1_000_000n;
  const nanosPerUnit = unit === 'ms' ? 1_000_000 : 1000;
  return {
    type,
    buildType: new arrow.Int64(),
    convert: (v) => {
      if (v == null) return null;
      const t = v as { seconds?: unknown; nanos?: number };
      return toBigInt(t.seconds ?? 0, false) * perSecond + BigInt(Math.floor((t.nanos ?? 0) / nanosPerUnit));
    },
  };
}

function scalarPlan(protoType: string, field: protobuf.Field): TypePlan {
  const plain = (type: arrow.DataType, convert: Converter = identity): TypePlan => ({ type, buildType: type, convert });
  switch (protoType) {
    case 'double':
      return plain(new arrow.Float64());
    case 'float':
      return plain(new arrow.Float32());
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return plain(new arrow.Int32());
    case 'uint32':
    case 'fixed32':
      return plain(new arrow.Uint32());
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return plain(new arrow.Int64(), (v) => (v == null ? null : toBigInt(v, false)));
    case 'uint64':
    case 'fixed64':
      return plain(new arrow.Uint64(), (v) => (v == null ? null : toBigInt(v, true)));
    case 'bool':
      return plain(new arrow.Bool());
    case 'string':
      return plain(new arrow.Utf8());
    case 'bytes':
      return plain(new arrow.Binary());
    default:
      throw new Error(`field ${field.fullName.slice(1)}: unsupported protobuf type '${protoType}'`);
  }
}

/** protobufjs int64 value (Long, number or decimal string) -> exact bigint. */
export function toBigInt(v: unknown, unsigned: boolean): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') return BigInt(v);
  const long = v as { low: number; high: number; unsigned?: boolean };
  const high = unsigned || long.unsigned ? BigInt(long.high >>> 0) : BigInt(long.high | 0);
  return (high << 32n) + BigInt(long.low >>> 0);
}

function mapKeyConverter(keyType: string): (key: string) => unknown {
  switch (keyType) {
    case 'string':
      return (k) => k;
    case 'bool':
      return (k) => k === 'true';
    case 'int64':
    case 'sint64':
    case 'sfixed64':
    case 'uint64':
    case 'fixed64': {
      const unsigned = keyType === 'uint64' || keyType === 'fixed64';
      // protobufjs keys int64 maps by an 8-character bit hash; JSON-converted maps by decimal strings
      return (k) => (/^-?\d+$/.test(k) ? BigInt(k) : toBigInt(protobuf.util.longFromHash(k, unsigned), unsigned));
    }
    default:
      return (k) => Number(k);
  }
}
