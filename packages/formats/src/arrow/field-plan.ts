/**
 * Per-field plans: the Arrow type of each protobuf field and a factory for the column builder
 * that writes protobufjs values of that field straight into Arrow buffers.
 */

import * as arrow from 'apache-arrow';
import protobuf from 'protobufjs';
import {
  BoolBuilder,
  EnumDictionaryBuilder,
  EnumStringBuilder,
  Int64Builder,
  ListBuilder,
  MapBuilder,
  NumberBuilder,
  StructBuilder,
  UnwrapBuilder,
  VarBinaryBuilder,
  timestampWriter,
  writeInt64,
  type ColumnBuilder,
} from './column-builders.js';

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
  /** Explicit presence (oneof members, proto3 `optional`, proto2 optional, messages): unset -> null, not the default. */
  presence: boolean;
  builder: () => ColumnBuilder;
}

interface TypePlan {
  type: arrow.DataType;
  builder: () => ColumnBuilder;
}

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
      return { field: new arrow.Field(f.name, plan.type, true), presence: f.hasPresence, builder: plan.builder };
    });
  visiting.delete(type.fullName);
  return plans;
}

function planField(field: protobuf.Field, options: ArrowMappingOptions, visiting: Set<string>): TypePlan {
  if (field instanceof protobuf.MapField) {
    const key = scalarPlan(field.keyType, field);
    const value = valuePlan(field, options, visiting);
    const entries = new arrow.Field('entries', new arrow.Struct([new arrow.Field('key', key.type, false), new arrow.Field('value', value.type, true)]), false);
    const type = new arrow.Map_(entries, false);
    const keyOf = mapKeyConverter(field.keyType);
    return { type, builder: () => new MapBuilder(type, keyOf, key.builder(), value.builder()) };
  }
  const element = valuePlan(field, options, visiting);
  if (!field.repeated) return element;
  const type = new arrow.List(new arrow.Field('item', element.type, true));
  return { type, builder: () => new ListBuilder(type, element.builder()) };
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
  if (options.enums === 'dictionary') {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    return { type, builder: () => new EnumDictionaryBuilder(type, names) };
  }
  return { type: new arrow.Utf8(), builder: () => new EnumStringBuilder(names) };
}

function messagePlan(type: protobuf.Type, options: ArrowMappingOptions, visiting: Set<string>): TypePlan {
  if (type.fullName === '.google.protobuf.Timestamp') {
    const ms = options.timestampUnit === 'ms';
    const arrowType = ms ? new arrow.TimestampMillisecond('UTC') : new arrow.TimestampMicrosecond('UTC');
    const write = timestampWriter(ms ? 1000 : 1_000_000);
    return { type: arrowType, builder: () => new Int64Builder(arrowType, write) };
  }
  if (WRAPPERS.has(type.fullName)) {
    const inner = planField(type.fields.value!, options, visiting);
    return { type: inner.type, builder: () => new UnwrapBuilder(inner.builder()) };
  }
  const children = planMessageFields(type, options, visiting);
  const struct = new arrow.Struct(children.map((c) => c.field));
  const names = children.map((c) => c.field.name);
  const presence = children.map((c) => c.presence);
  return { type: struct, builder: () => new StructBuilder(struct, names, presence, children.map((c) => c.builder())) };
}

function scalarPlan(protoType: string, field: protobuf.Field): TypePlan {
  const numbers = (type: arrow.DataType, Ctor: ConstructorParameters<typeof NumberBuilder>[1]): TypePlan => ({ type, builder: () => new NumberBuilder(type, Ctor) });
  switch (protoType) {
    case 'double':
      return numbers(new arrow.Float64(), Float64Array);
    case 'float':
      return numbers(new arrow.Float32(), Float32Array);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return numbers(new arrow.Int32(), Int32Array);
    case 'uint32':
    case 'fixed32':
      return numbers(new arrow.Uint32(), Uint32Array);
    case 'int64':
    case 'sint64':
    case 'sfixed64': {
      const type = new arrow.Int64();
      return { type, builder: () => new Int64Builder(type, writeInt64) };
    }
    case 'uint64':
    case 'fixed64': {
      const type = new arrow.Uint64();
      return { type, builder: () => new Int64Builder(type, writeInt64) };
    }
    case 'bool':
      return { type: new arrow.Bool(), builder: () => new BoolBuilder() };
    case 'string': {
      const type = new arrow.Utf8();
      return { type, builder: () => new VarBinaryBuilder(type) };
    }
    case 'bytes': {
      const type = new arrow.Binary();
      return { type, builder: () => new VarBinaryBuilder(type) };
    }
    default:
      throw new Error(`field ${field.fullName.slice(1)}: unsupported protobuf type '${protoType}'`);
  }
}

/** Map keys arrive as strings from protobufjs; convert them to the key column's type. */
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
      // protobufjs keys decoded int64 maps by an 8-character bit hash; fromObject maps by decimal strings
      return (k) => (/^-?\d+$/.test(k) ? k : protobuf.util.longFromHash(k, unsigned));
    }
    default:
      return (k) => Number(k);
  }
}
