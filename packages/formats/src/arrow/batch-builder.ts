/** Building Arrow record batches from decoded protobuf messages, column by column. */

import * as arrow from 'apache-arrow';
import type protobuf from 'protobufjs';
import { fieldValue, type ColumnBuilder } from './column-builders.js';
import { planFields, type ArrowMappingOptions, type FieldPlan } from './field-plan.js';
import { validateOptions } from '@weir/core';
import { arrowMappingOptionsSchema } from '../options/schemas.js';

/**
 * The Arrow schema of a protobuf message type: message -> struct, repeated -> list, map -> map,
 * enum -> string (or dictionary), int64 -> Int64 (exact, bigint), uint64 -> Uint64,
 * `google.protobuf.Timestamp` -> timestamp (UTC, `us` by default), wrappers -> nullable scalars.
 * Every column is nullable, so a field added by a newer schema version is a new nullable column.
 */
export function arrowSchemaFor(type: protobuf.Type, options: ArrowMappingOptions = {}): arrow.Schema {
  validateOptions(arrowMappingOptionsSchema, options, 'Arrow mapping options');
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
 * become nulls) into Arrow record batches. The plan is compiled once per type; one builder per
 * column is filled by each batch and reused by the next.
 */
export class ArrowBatchBuilder {
  /** The Arrow schema of every batch this builder makes. */
  readonly schema: arrow.Schema;
  private readonly plans: FieldPlan[];
  /** Column builders kept between batches (`finish()` copies out and resets them); dropped when a batch throws. */
  private builders: ColumnBuilder[] | undefined;

  constructor(type: protobuf.Type, options: ArrowMappingOptions = {}) {
    validateOptions(arrowMappingOptionsSchema, options, 'Arrow mapping options');
    this.plans = planFields(type, options);
    this.schema = schemaOf(this.plans, type);
  }

  /** One record batch from `messages` (protobufjs messages or plain objects with the same field names). */
  build(messages: readonly object[]): arrow.RecordBatch {
    const plans = this.plans;
    const builders = this.builders ?? plans.map((p) => p.builder());
    this.builders = undefined; // a value that throws below leaves them half filled
    const children: arrow.Data[] = [];
    for (let c = 0; c < plans.length; c++) {
      const builder = builders[c]!;
      const name = plans[c]!.field.name;
      const presence = plans[c]!.presence;
      for (let i = 0; i < messages.length; i++) builder.append(fieldValue(messages[i] as Record<string, unknown>, name, presence));
      children.push(builder.finish());
    }
    this.builders = builders;
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
    return n ? n.clone({ type: unifyTypes(f.type, n.type, `${path}${f.name}`), nullable: true }) : f.clone({ nullable: true });
  });
  const known = new Set(older.map((f) => f.name));
  for (const f of newer) if (!known.has(f.name)) fields.push(f.clone({ nullable: true }));
  return fields;
}

/** Structs (also inside lists and map values) gain the newer fields; anything else must be equal. */
function unifyTypes(older: arrow.DataType, newer: arrow.DataType, path: string): arrow.DataType {
  if (arrow.DataType.isStruct(older) && arrow.DataType.isStruct(newer)) return new arrow.Struct(unifyFields(older.children, newer.children, `${path}.`));
  if (arrow.DataType.isList(older) && arrow.DataType.isList(newer)) {
    const item = newer.children[0]!;
    return new arrow.List(item.clone({ type: unifyTypes(older.children[0]!.type, item.type, `${path}[]`) }));
  }
  if (arrow.DataType.isMap(older) && arrow.DataType.isMap(newer)) {
    const [ok, ov] = older.children[0]!.type.children as [arrow.Field, arrow.Field];
    const [nk, nv] = newer.children[0]!.type.children as [arrow.Field, arrow.Field];
    if (!arrow.util.compareTypes(ok.type, nk.type)) throw new Error(`column '${path}' changed its map key from ${String(ok.type)} to ${String(nk.type)}`);
    const entries = newer.children[0]!.clone({ type: new arrow.Struct([nk, nv.clone({ type: unifyTypes(ov.type, nv.type, `${path}{}`) })]) });
    return new arrow.Map_(entries, newer.keysSorted);
  }
  if (!arrow.util.compareTypes(older, newer)) throw new Error(`column '${path}' changed type from ${String(older)} to ${String(newer)}`);
  return newer;
}
