/**
 * Test helper: builds sample message bodies straight from the schema JSON (through the generator's
 * schema model), independently of the generated code. For a version it returns
 *  - `input`: the object to encode (fields absent in that version carry junk that must be ignored),
 *  - `expected`: what decoding must give (absent fields at their schema defaults).
 */
import { fileURLToPath } from 'node:url';
import { inRange, loadMessageSpecs, type FieldSpec, type MessageSpec, type StructSpec } from '../../scripts/generate-protocol.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/messages/', import.meta.url));
/** The official schemas plus the supplementary ones (see schemas/supplement/README.md). */
export const SCHEMA_DIRS = [SCHEMA_DIR, fileURLToPath(new URL('../../schemas/supplement/', import.meta.url))];

export interface ApiPair {
  apiKey: number;
  name: string;
  request: MessageSpec;
  response: MessageSpec;
}

export function loadApiPairs(): ApiPair[] {
  const specs = loadMessageSpecs(SCHEMA_DIRS);
  return specs
    .filter((m) => m.type === 'request')
    .map((request) => {
      const name = request.name.replace(/Request$/, '');
      const response = specs.find((m) => m.name === `${name}Response`);
      if (!response) throw new Error(`no response for ${name}`);
      return { apiKey: request.apiKey!, name, request, response };
    })
    .sort((a, b) => a.apiKey - b.apiKey);
}

/** `full`: every value non-default and non-null; `nulls`: nullable values null, other arrays short. */
export type Variant = 'full' | 'nulls';

const NUMERIC = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64']);

/** Schema default of a field as documented in the contract (computed here, not by the generator). */
export function schemaDefault(f: FieldSpec): unknown {
  const d = f.default;
  const t = f.type;
  if (t.kind === 'struct') return structDefaults(t.struct);
  if (t.kind === 'array') return d === 'null' || f.nullable ? null : [];
  if (NUMERIC.has(t.name)) return d === undefined ? 0 : Number(d);
  if (t.name === 'bool') return d === true || d === 'true';
  if (t.name === 'string') {
    if (d === 'null') return null;
    if (d !== undefined) return String(d);
    return f.nullable ? null : '';
  }
  if (t.name === 'uuid') return Buffer.alloc(16);
  return d === 'null' || f.nullable ? null : Buffer.alloc(0); // bytes, records
}

function structDefaults(s: StructSpec): Record<string, unknown> {
  return Object.fromEntries(s.fields.map((f) => [f.prop, schemaDefault(f)]));
}

function numberSample(type: string, seed: number, def: unknown): number {
  let n: number;
  seed %= 10007;
  switch (type) {
    case 'int8': n = 5 + (seed % 100); break;
    case 'int16': n = -(1000 + seed); break;
    case 'uint16': n = 60000 + (seed % 5000); break;
    case 'int32': n = 100000 + seed * 7; break;
    case 'uint32': n = 4000000000 + seed; break;
    case 'int64': n = seed % 2 ? 2 ** 40 + seed : -(2 ** 45) - seed; break;
    default: n = 1.5 + seed; break;
  }
  return n === def ? n + 1 : n;
}

interface Sample {
  input: unknown;
  expected: unknown;
}

function fieldSample(f: FieldSpec, v: number, seed: number, variant: Variant): Sample {
  const t = f.type;
  const def = schemaDefault(f);
  const nullable = inRange(f.nullable, v);
  if (variant === 'nulls' && nullable && t.kind !== 'struct') return { input: null, expected: null };
  if (t.kind === 'struct') {
    const s = structSample(t.struct, v, seed, variant);
    return s;
  }
  if (t.kind === 'array') {
    const count = variant === 'full' ? 2 : 1;
    const input: unknown[] = [];
    const expected: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const e = elemSample(t.elem, f, v, seed * 3 + i, variant);
      input.push(e.input);
      expected.push(e.expected);
    }
    return { input, expected };
  }
  return scalarSample(t.name, f, seed, def);
}

function elemSample(t: FieldSpec['type'], f: FieldSpec, v: number, seed: number, variant: Variant): Sample {
  if (t.kind === 'struct') return structSample(t.struct, v, seed, variant);
  if (t.kind === 'array') throw new Error('nested arrays are not in the schemas');
  return scalarSample(t.name, f, seed, undefined);
}

function scalarSample(type: string, f: FieldSpec, seed: number, def: unknown): Sample {
  let value: unknown;
  if (NUMERIC.has(type)) value = numberSample(type, seed, def);
  else if (type === 'bool') value = def !== true;
  else if (type === 'string') value = `${f.name}-${seed}-é✓`;
  else if (type === 'uuid') value = Buffer.from(Array.from({ length: 16 }, (_, i) => (seed * 16 + i + 1) & 0xff));
  else value = Buffer.from(`${f.name}:${seed}:bytes`);
  return { input: value, expected: value };
}

/** Sample of one struct at version v. */
export function structSample(s: StructSpec, v: number, seed: number, variant: Variant): Sample {
  const input: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  s.fields.forEach((f, i) => {
    if (inRange(f.versions, v)) {
      const x = fieldSample(f, v, seed * 11 + i + 1, variant);
      input[f.prop] = x.input;
      expected[f.prop] = x.expected;
    } else {
      // absent in this version: junk in the input must not be encoded; decoding yields the default
      input[f.prop] = junkFor(f);
      expected[f.prop] = schemaDefault(f);
    }
  });
  return { input, expected };
}

function junkFor(f: FieldSpec): unknown {
  const t = f.type;
  if (t.kind === 'array') return [];
  if (t.kind === 'struct') return {};
  if (NUMERIC.has(t.name)) return 77;
  if (t.name === 'bool') return true;
  if (t.name === 'string') return 'junk';
  return Buffer.from('junk-bytes-xxxxx');
}

/** What decoding `{}` encoded at version v must give: defaults, made non-null where v forbids null. */
export function emptyEncodeExpected(s: StructSpec, v: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of s.fields) {
    let d = schemaDefault(f);
    const t = f.type;
    if (inRange(f.versions, v) && d === null && !inRange(f.nullable, v)) {
      if (t.kind === 'array') d = [];
      else if (t.kind === 'scalar' && t.name === 'string') d = '';
      else d = Buffer.alloc(0);
    }
    if (t.kind === 'struct' && inRange(f.versions, v)) d = emptyEncodeExpected(t.struct, v);
    // a tagged field left at its default is not written at all
    out[f.prop] = f.tagged ? schemaDefault(f) : d;
  }
  return out;
}

export function versionsOf(m: MessageSpec): number[] {
  const out: number[] = [];
  for (let v = m.valid.lo; v <= m.valid.hi; v++) out.push(v);
  return out;
}
