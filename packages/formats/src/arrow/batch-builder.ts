/** Building Arrow record batches from decoded protobuf messages, column by column. */

import * as arrow from 'apache-arrow';
import type protobuf from 'protobufjs';
import { fieldValue } from './column-builders.js';
import { planFields, type ArrowMappingOptions, type FieldPlan } from './field-plan.js';

/**
 * The Arrow schema of a protobuf message type: message -> struct, repeated -> list, map -> map,
 * enum -> string (or dictionary), int64 -> Int64 (exact, bigint), uint64 -> Uint64,
 * `google.protobuf.Timestamp` -> timestamp (UTC, `us` by default), wrappers -> nullable scalars.
 * Every column is nullable, so a field added by a newer schema version is a new nullable column.
 */
export function arrowSchemaFor(type: protobuf.Type, options: ArrowMappingOptions = {}): arrow.Schema {
  return schemaOf(planFields(type, options), type);
}

function schemaOf(plans: FieldPlan[], type: protobuf.Type): arrow.Schema {
  return new arrow.Schema(
    plans.map((p) => p.field),
    new Map([['weir.protobuf.type', type.fullName.slice(1)]]),
  );
}

/**
 * Converts batches of messages of one protobuf type (or of older versions of it: fields they lack
 * become nulls) into Arrow record batches. The plan is compiled once per type; each batch fills
 * one builder per column.
 */
export class ArrowBatchBuilder {
  /** The Arrow schema of every batch this builder makes. */
  readonly schema: arrow.Schema;
  private readonly plans: FieldPlan[];

  constructor(type: protobuf.Type, options: ArrowMappingOptions = {}) {
    this.plans = planFields(type, options);
    this.schema = schemaOf(this.plans, type);
  }

  /** One record batch from `messages` (protobufjs messages or plain objects with the same field names). */
  build(messages: readonly object[]): arrow.RecordBatch {
    const children: arrow.Data[] = [];
    for (const plan of this.plans) {
      const builder = plan.builder();
      const name = plan.field.name;
      const presence = plan.presence;
      for (let i = 0; i < messages.length; i++) builder.append(fieldValue(messages[i] as Record<string, unknown>, name, presence));
      children.push(builder.finish());
    }
    const data = arrow.makeData({ type: new arrow.Struct(this.schema.fields), length: messages.length, nullCount: 0, children });
    return new arrow.RecordBatch(this.schema, data);
  }
}

/**
 * The union of two schemas for schema evolution: every field of `older`, in order, then the fields
 * only `newer` has, all nullable; struct columns are unified field by field the same way. Throws
 * when a column changed its type.
 */
export function unifySchemas(older: arrow.Schema, newer: arrow.Schema): arrow.Schema {
  return new arrow.Schema(unifyFields(older.fields, newer.fields, ''), newer.metadata);
}

function unifyFields(older: readonly arrow.Field[], newer: readonly arrow.Field[], path: string): arrow.Field[] {
  const byName = new Map(newer.map((f) => [f.name, f]));
  const fields = older.map((f) => {
    const n = byName.get(f.name);
    if (!n) return f.clone({ nullable: true });
    if (arrow.DataType.isStruct(f.type) && arrow.DataType.isStruct(n.type)) {
      return n.clone({ type: new arrow.Struct(unifyFields(f.type.children, n.type.children, `${path}${f.name}.`)), nullable: true });
    }
    if (!arrow.util.compareTypes(f.type, n.type)) throw new Error(`column '${path}${f.name}' changed type from ${String(f.type)} to ${String(n.type)}`);
    return n.clone({ nullable: true });
  });
  const known = new Set(older.map((f) => f.name));
  for (const f of newer) if (!known.has(f.name)) fields.push(f.clone({ nullable: true }));
  return fields;
}
