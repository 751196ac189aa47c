/**
 * Run-time checks of feature group specs (they are often written in plain JS or loaded from
 * config): shape with zod, misspelt keys and ops with a "did you mean", then the rules between
 * fields (horizons are multiples of the resolution, feature names are unique).
 */

import { z } from 'zod';
import { OptionsError, count, fn, oneOf, strictObject, validateOptions } from '@weir/core';
import { DURATION_PATTERN, aggregationName, durationToMs, type FeatureGroupSpec } from './spec.js';

const UNIT_TYPOS: Record<string, string> = { sec: 's', secs: 's', second: 's', seconds: 's', min: 'm', mins: 'm', minute: 'm', minutes: 'm', hr: 'h', hrs: 'h', hour: 'h', hours: 'h', day: 'd', days: 'd' };

const duration = z.string().check((ctx) => {
  if (DURATION_PATTERN.test(ctx.value)) return;
  const m = /^\s*(\d+)\s*([a-zA-Z]+)\s*$/.exec(ctx.value);
  const unit = m === null ? undefined : (UNIT_TYPOS[m[2]!.toLowerCase()] ?? (/^(ms|s|m|h|d)$/i.test(m[2]!) ? m[2]!.toLowerCase() : undefined));
  const hint = unit === undefined || Number(m![1]) === 0 ? '' : ` (did you mean '${Number(m![1])}${unit}'?)`;
  ctx.issues.push({ code: 'custom', input: ctx.value, message: `invalid duration '${ctx.value}'; expected a positive whole number and a unit: 'ms', 's', 'm', 'h' or 'd', e.g. '5m', '24h'${hint}` });
});

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower case letters, digits and _, starting with a letter');
const field = z.string().min(1);

const aggregation = z.discriminatedUnion('op', [
  strictObject({ op: z.literal('count'), name: name.optional() }),
  strictObject({ op: z.literal('sum'), field, name: name.optional() }),
  strictObject({ op: z.literal('min'), field, name: name.optional() }),
  strictObject({ op: z.literal('max'), field, name: name.optional() }),
  strictObject({ op: z.literal('avg'), field, name: name.optional() }),
  strictObject({ op: z.literal('approx_distinct'), field, name: name.optional() }),
]);

function groupSchema(sources: readonly string[] | undefined) {
  return strictObject(
    {
      name,
      // the known sources when compiling, so a misspelt one gets a suggestion
      source: sources === undefined || sources.length === 0 ? z.string().min(1) : oneOf(sources as [string, ...string[]]),
      key: z.union([field, z.array(field).min(1)]),
      horizons: z.array(duration).min(1),
      resolution: duration.optional(),
      filter: fn<(record: unknown) => boolean>().optional(),
      aggregations: z.array(aggregation).min(1),
      idleTtl: duration.optional(),
      precision: count(4).max(16).optional(),
      onInvalid: oneOf(['fail', 'dead-letter']).optional(),
    },
    { keys: "renamed to 'key' (one field or an array of fields)", aggs: "renamed to 'aggregations'", windows: "renamed to 'horizons'", where: "renamed to 'filter'" },
  );
}

/**
 * Check a feature group spec; throws an {@link OptionsError} listing every problem. `sources`, when
 * given, are the source names the group may read.
 */
export function validateFeatureGroup<T>(spec: FeatureGroupSpec<T>, sources?: readonly string[]): FeatureGroupSpec<T> {
  const label = `feature group${typeof (spec as { name?: unknown } | null)?.name === 'string' ? ` '${spec.name}'` : ''}`;
  validateOptions(groupSchema(sources), spec, label);
  const problems: string[] = [];
  const resolution = durationToMs(spec.resolution ?? '1m');
  const seen = new Set<number>();
  spec.horizons.forEach((h, i) => {
    const ms = durationToMs(h);
    if (ms % resolution !== 0) problems.push(`horizons[${i}]: '${h}' is not a multiple of the resolution '${spec.resolution ?? '1m'}'`);
    if (seen.has(ms)) problems.push(`horizons[${i}]: '${h}' is listed twice`);
    seen.add(ms);
  });
  const names = new Map<string, number>();
  spec.aggregations.forEach((a, i) => {
    const n = aggregationName(a);
    const before = names.get(n);
    if (before !== undefined) problems.push(`aggregations[${i}]: feature name '${n}' is already used by aggregations[${before}]; give one a 'name'`);
    names.set(n, i);
  });
  if (problems.length > 0) throw new OptionsError(label, problems);
  return spec;
}
