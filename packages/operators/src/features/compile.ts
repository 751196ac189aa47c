/**
 * Compiles feature group specs into pipeline steps: `<group>.filter` -> `<group>.extract` (key and
 * field values, checked) -> keyBy -> `<group>` (multi-horizon aggregation) emitting one
 * {@link FeatureRow} per counted record.
 *
 * `multiHorizon` aggregates one number and one distinct value per record. A group with several
 * numeric or distinct fields runs one `multiHorizon` per field pair ("channel") inside a single
 * keyed step, each with its own state names, and joins their results for the record into one
 * row, so all of a group's features cost one keyed step and one pass over each channel's slices.
 */

import { OptionsError, type KeyedProcessFunction, type OpenContext, type OutputTag, type ProcessContext, type StateAccess, type Stream } from '@weir/core';
import { multiHorizon, type MultiHorizonResult } from '../horizons/multi-horizon.js';
import type { HorizonFeatures } from '../horizons/slice-stats.js';
import { validateFeatureGroup } from './schema.js';
import { aggregationName, durationToMs, type FeatureGroupSpec, type FeatureRow } from './spec.js';

/** A record after `<group>.extract`: its key, one number and one distinct value per channel. */
interface Extracted {
  k: string;
  v: number[];
  d: Array<string | number>;
  /** The original record, for the late-data side output. */
  r: unknown;
}

/** A feature column: which channel's result it reads and how. */
interface Column {
  name: string;
  channel: number;
  horizon: number;
  read: (h: HorizonFeatures) => number | null;
}

/**
 * Check a feature group spec (zod, with "did you mean" for misspelt keys, ops and units) and return
 * it typed. Throws an `OptionsError` listing every problem.
 */
export function defineFeatureGroup<T>(spec: FeatureGroupSpec<T>): FeatureGroupSpec<T> {
  return validateFeatureGroup(spec);
}

/**
 * Compile feature groups over named source streams (each already carrying event time, e.g. from a
 * source's watermark strategy). Returns each group's output stream by group name.
 */
export function compileFeatures(sources: Readonly<Record<string, Stream<any>>>, groups: ReadonlyArray<FeatureGroupSpec<any>>): Record<string, Stream<FeatureRow>> {
  const names = Object.keys(sources);
  const out: Record<string, Stream<FeatureRow>> = {};
  for (const g of groups) {
    validateFeatureGroup(g, names);
    if (out[g.name] !== undefined) throw new OptionsError('feature groups', [`two groups are named '${g.name}'`]);
    out[g.name] = featureStream(sources[g.source]!, g);
  }
  return out;
}

/** Compile one feature group over its source stream. */
export function featureStream<T>(stream: Stream<T>, spec: FeatureGroupSpec<T>): Stream<FeatureRow> {
  validateFeatureGroup(spec);
  const keyFields = typeof spec.key === 'string' ? [spec.key] : [...(spec.key as readonly string[])];
  const numeric = unique(spec.aggregations.flatMap((a) => (a.op === 'sum' || a.op === 'min' || a.op === 'max' || a.op === 'avg' ? [a.field as string] : [])));
  const distinct = unique(spec.aggregations.flatMap((a) => (a.op === 'approx_distinct' ? [a.field as string] : [])));
  const channels = Math.max(1, numeric.length, distinct.length);
  const horizons = spec.horizons.map(durationToMs).sort((a, b) => a - b);
  const labels = new Map(spec.horizons.map((h) => [durationToMs(h), h]));

  const columns: Column[] = [];
  for (const a of spec.aggregations) {
    const name = aggregationName(a);
    horizons.forEach((ms, horizon) => {
      const col = `${name}_${labels.get(ms)!}`;
      if (a.op === 'count') columns.push({ name: col, channel: 0, horizon, read: (h) => h.count });
      else if (a.op === 'approx_distinct') columns.push({ name: col, channel: distinct.indexOf(a.field), horizon, read: (h) => h.distinct });
      else {
        const channel = numeric.indexOf(a.field);
        const read = a.op === 'sum' ? (h: HorizonFeatures) => h.sum : a.op === 'min' ? (h: HorizonFeatures) => h.min : a.op === 'max' ? (h: HorizonFeatures) => h.max : (h: HorizonFeatures) => (h.count === 0 ? null : h.sum / h.count);
        columns.push({ name: col, channel, horizon, read });
      }
    });
  }

  const extract = (r: T): Extracted => {
    const rec = r as Record<string, unknown>;
    const k = keyFields.map((f) => String(valueOf(rec, f, spec.name, 'key'))).join('|');
    const v = numeric.map((f) => {
      const x = rec[f];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`feature group '${spec.name}': field '${f}' must be a finite number, got ${describe(x)}${missingHint(rec, f)}`);
      return x;
    });
    const d = distinct.map((f) => valueOf(rec, f, spec.name, 'distinct'));
    return { k, v, d, r };
  };

  const filtered = spec.filter === undefined ? stream : stream.filter(`${spec.name}.filter`, spec.filter);
  return filtered
    .map(`${spec.name}.extract`, extract, spec.onInvalid === undefined ? {} : { onError: spec.onInvalid })
    .keyBy((e) => e.k)
    .process(
      spec.name,
      channelsFunction(spec.name, columns, (c) =>
        multiHorizon<Extracted>({
          horizonsMs: horizons,
          sliceMs: durationToMs(spec.resolution ?? '1m'),
          ...(c < numeric.length ? { numberOf: (e: Extracted) => e.v[c]! } : {}),
          ...(c < distinct.length ? { distinctOf: (e: Extracted) => e.d[c]! } : {}),
          ...(spec.precision === undefined ? {} : { precision: spec.precision }),
          ...(spec.idleTtl === undefined ? {} : { idleTtlMs: durationToMs(spec.idleTtl) }),
        }),
        channels,
      ),
    );
}

/** One keyed function running `count` multi-horizon channels side by side and joining their rows. */
function channelsFunction(
  group: string,
  columns: readonly Column[],
  channel: (c: number) => () => KeyedProcessFunction<string, Extracted, MultiHorizonResult>,
  count: number,
): () => KeyedProcessFunction<string, Extracted, FeatureRow> {
  const factories = Array.from({ length: count }, (_, c) => channel(c));
  return () => {
    const fns = factories.map((f) => f());
    const results: Array<MultiHorizonResult | undefined> = new Array<MultiHorizonResult | undefined>(count);
    let current!: ProcessContext<string, FeatureRow>;
    // one context per channel, made once: emits are captured, late records leave once (channel 0)
    const contexts = fns.map(
      (_, c): ProcessContext<string, MultiHorizonResult> => ({
        get key() {
          return current.key;
        },
        get timestamp() {
          return current.timestamp;
        },
        get timers() {
          return current.timers;
        },
        emit: (value) => {
          results[c] = value;
        },
        output: <X>(tag: OutputTag<X>, value: X, timestamp?: number) => {
          if (c === 0) current.output(tag, (value as Extracted).r as X, timestamp);
        },
      }),
    );
    return {
      async open(ctx: OpenContext) {
        for (let c = 0; c < count; c++) await fns[c]!.open?.({ stepName: ctx.stepName, subtask: ctx.subtask, state: prefixed(ctx.state, `c${c}.`) });
      },
      processElement(value, ctx) {
        current = ctx;
        results.fill(undefined);
        for (let c = 0; c < count; c++) fns[c]!.processElement(value, contexts[c]!);
        const first = results[0];
        if (first === undefined) return; // late: every channel sent it to the late output
        const features: Record<string, number | null> = {};
        for (const col of columns) features[col.name] = col.read(results[col.channel]!.horizons[col.horizon]!);
        ctx.emit({ group, key: first.key, end: first.end, features }, first.end - 1);
      },
      async close() {
        for (const f of fns) await f.close?.();
      },
    };
  };
}

/** State handles of one channel: its own names, so channels never share a map. */
function prefixed(state: StateAccess, prefix: string): StateAccess {
  return {
    valueState: (n, o) => state.valueState(prefix + n, o),
    mapState: (n, o) => state.mapState(prefix + n, o),
    listState: (n, o) => state.listState(prefix + n, o),
    reducingState: (n, r, o) => state.reducingState(prefix + n, r, o),
  };
}

function valueOf(rec: Record<string, unknown>, f: string, group: string, role: string): string | number {
  const x = rec[f];
  if (typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))) return x;
  throw new TypeError(`feature group '${group}': ${role} field '${f}' must be a string or a finite number, got ${describe(x)}${missingHint(rec, f)}`);
}

/** For a field the record does not have: the record's closest field name. */
function missingHint(rec: Record<string, unknown>, f: string): string {
  if (f in rec) return '';
  const near = Object.keys(rec).find((k) => k.toLowerCase() === f.toLowerCase() || k.toLowerCase().startsWith(f.toLowerCase()) || f.toLowerCase().startsWith(k.toLowerCase()));
  return near === undefined ? ` (the record has no field '${f}')` : ` (the record has no field '${f}'; did you mean '${near}'?)`;
}

function describe(x: unknown): string {
  if (typeof x === 'string') return `'${x}'`;
  if (x === null || x === undefined || typeof x === 'number' || typeof x === 'boolean') return String(x);
  return Array.isArray(x) ? 'an array' : `an ${typeof x}`;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
