/**
 * Generates the Kafka wire-protocol codecs of @weir/embedded-kafka from the official JSON message
 * schemas: one straight-line decoder and encoder per struct (version checks are inline `if`s, no
 * runtime walk over schema objects), typed interfaces, and the API registry.
 *
 * Usage (from the repo root):
 *   node --import tsx packages/embedded-kafka/scripts/generate-protocol.ts [schemaDir,...] [outDir]
 * Defaults: schemaDirs = packages/embedded-kafka/schemas/{messages,supplement},
 *           outDir    = packages/embedded-kafka/src/protocol/generated
 *
 * The schema model (loadMessageSpecs, parseVersions, stripJsonComments) is exported for tests.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Schema model
// ---------------------------------------------------------------------------------------------

/** Inclusive version range; `hi` is Infinity for "N+". `null` stands for "none". */
export interface VersionRange {
  lo: number;
  hi: number;
}

export type ScalarType =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'bytes' | 'records' | 'uuid';

export type FieldType =
  | { kind: 'scalar'; name: ScalarType }
  | { kind: 'array'; elem: FieldType }
  | { kind: 'struct'; struct: StructSpec };

export interface FieldSpec {
  /** Schema name, e.g. `TopicName`. */
  name: string;
  /** Property name on the JS object, e.g. `topicName`. */
  prop: string;
  type: FieldType;
  versions: VersionRange | null;
  nullable: VersionRange | null;
  tagged: VersionRange | null;
  tag: number | undefined;
  /** Raw JSON `default`, if any. */
  default: string | number | boolean | undefined;
  /** Field-level flexibleVersions override (only RequestHeader.ClientId uses it). */
  flexibleOverride: VersionRange | null | undefined;
  about: string;
}

export interface StructSpec {
  /** TypeScript interface name (globally unique). */
  tsName: string;
  fields: FieldSpec[];
  /** Versions in which the struct can occur (narrows version checks). */
  versions: VersionRange;
}

export interface MessageSpec {
  name: string;
  type: 'request' | 'response' | 'header';
  apiKey: number | undefined;
  valid: VersionRange;
  flexible: VersionRange | null;
  root: StructSpec;
  /** Every struct of the message, root first, in schema order. */
  structs: StructSpec[];
  fileBase: string;
}

const SCALARS = new Set<string>([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
]);
const NUMERIC = new Set<string>(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64']);

/** Remove `//` line comments outside of JSON strings (doc strings may contain `//`). */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

/** Parse "3+", "0-4", "5" or "none". */
export function parseVersions(s: string | undefined): VersionRange | null {
  if (s === undefined || s === 'none' || s === '') return null;
  const plus = /^(\d+)\+$/.exec(s);
  if (plus) return { lo: Number(plus[1]), hi: Infinity };
  const span = /^(\d+)-(\d+)$/.exec(s);
  if (span) return { lo: Number(span[1]), hi: Number(span[2]) };
  if (/^\d+$/.test(s)) return { lo: Number(s), hi: Number(s) };
  throw new Error(`bad version range "${s}"`);
}

export function intersect(a: VersionRange | null, b: VersionRange | null): VersionRange | null {
  if (!a || !b) return null;
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo <= hi ? { lo, hi } : null;
}

export function inRange(r: VersionRange | null, v: number): boolean {
  return r !== null && v >= r.lo && v <= r.hi;
}

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: RawField[];
  about?: string;
}

interface RawMessage {
  apiKey?: number;
  type: 'request' | 'response' | 'header';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: RawField[];
  commonStructs?: Array<{ name: string; versions: string; fields: RawField[] }>;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function kebab(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** Build the model of one message from its JSON text. */
export function parseMessage(jsonText: string): MessageSpec {
  const raw = JSON.parse(stripJsonComments(jsonText)) as RawMessage;
  const valid = parseVersions(raw.validVersions);
  if (!valid) throw new Error(`${raw.name}: no valid versions`);
  const common = new Map((raw.commonStructs ?? []).map((c) => [c.name, c]));
  const structs: StructSpec[] = [];
  const byName = new Map<string, StructSpec>();
  const tsNameOf = (structName: string) => (structName.startsWith(raw.name) ? structName : raw.name + structName);

  const buildStruct = (tsName: string, rawFields: RawField[], versions: VersionRange): StructSpec => {
    const spec: StructSpec = { tsName, fields: [], versions };
    structs.push(spec);
    spec.fields = rawFields.map((f) => buildField(f, versions));
    return spec;
  };

  const structType = (typeName: string, f: RawField, ctx: VersionRange): StructSpec => {
    const existing = byName.get(typeName);
    if (existing) return existing;
    const cs = common.get(typeName);
    let spec: StructSpec;
    if (f.fields) {
      const fieldVersions = intersect(parseVersions(f.versions), ctx);
      spec = { tsName: tsNameOf(typeName), fields: [], versions: fieldVersions ?? ctx };
      byName.set(typeName, spec);
      structs.push(spec);
      spec.fields = f.fields.map((x) => buildField(x, spec.versions));
    } else if (cs) {
      const versions = intersect(parseVersions(cs.versions), valid) ?? valid;
      spec = { tsName: tsNameOf(typeName), fields: [], versions };
      byName.set(typeName, spec);
      structs.push(spec);
      spec.fields = cs.fields.map((x) => buildField(x, versions));
    } else {
      throw new Error(`${raw.name}: unknown type ${typeName}`);
    }
    return spec;
  };

  const buildType = (typeName: string, f: RawField, ctx: VersionRange): FieldType => {
    if (typeName.startsWith('[]')) return { kind: 'array', elem: buildType(typeName.slice(2), f, ctx) };
    if (SCALARS.has(typeName)) return { kind: 'scalar', name: typeName as ScalarType };
    return { kind: 'struct', struct: structType(typeName, f, ctx) };
  };

  const buildField = (f: RawField, ctx: VersionRange): FieldSpec => {
    const versions = parseVersions(f.versions);
    const tagged = parseVersions(f.taggedVersions);
    if (tagged && (!versions || tagged.lo !== versions.lo || tagged.hi !== versions.hi)) {
      throw new Error(`${raw.name}.${f.name}: tagged fields must be tagged in all their versions`);
    }
    const type = buildType(f.type, f, ctx);
    const nullable = parseVersions(f.nullableVersions);
    if (nullable && type.kind === 'struct') throw new Error(`${raw.name}.${f.name}: nullable structs are not supported`);
    return {
      name: f.name,
      prop: lowerFirst(f.name),
      type,
      versions,
      nullable,
      tagged,
      tag: f.tag,
      default: f.default,
      flexibleOverride: f.flexibleVersions === undefined ? undefined : parseVersions(f.flexibleVersions),
      about: f.about ?? '',
    };
  };

  const root = buildStruct(raw.name, raw.fields, valid);
  return {
    name: raw.name,
    type: raw.type,
    apiKey: raw.apiKey,
    valid,
    flexible: parseVersions(raw.flexibleVersions),
    root,
    structs,
    fileBase: kebab(raw.name),
  };
}

/** Load every `*.json` schema of a directory, sorted by file name. */
/** Every `*.json` schema of one or more directories, sorted by file name. */
export function loadMessageSpecs(schemaDirs: string | readonly string[]): MessageSpec[] {
  const files = (typeof schemaDirs === 'string' ? [schemaDirs] : schemaDirs).flatMap((dir) =>
    readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ f, path: join(dir, f) })),
  );
  return files.sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0)).map(({ path }) => parseMessage(readFileSync(path, 'utf8')));
}

// ---------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------

/** The schema default of a field as a JS value description (shared by codegen and tests). */
export function defaultKind(f: FieldSpec): { kind: 'null' } | { kind: 'value'; value: number | boolean | string } | { kind: 'empty' } {
  const d = f.default;
  const t = f.type;
  if (d === 'null') return { kind: 'null' };
  if (t.kind === 'scalar') {
    if (NUMERIC.has(t.name)) {
      if (d === undefined || d === '') return f.nullable ? { kind: 'null' } : { kind: 'value', value: 0 };
      const n = Number(d);
      if (Number.isNaN(n)) throw new Error(`${f.name}: bad numeric default ${String(d)}`);
      return { kind: 'value', value: n };
    }
    if (t.name === 'bool') return { kind: 'value', value: d === true || d === 'true' };
    if (t.name === 'string') {
      if (d !== undefined) return { kind: 'value', value: String(d) };
      return f.nullable ? { kind: 'null' } : { kind: 'value', value: '' };
    }
  }
  // bytes, records, uuid, arrays, structs
  if (f.nullable && d === undefined && t.kind !== 'struct' && !(t.kind === 'scalar' && t.name === 'uuid')) return { kind: 'null' };
  return { kind: 'empty' };
}

// ---------------------------------------------------------------------------------------------
// Code generation
// ---------------------------------------------------------------------------------------------

const HEADER = '// generated by scripts/generate-protocol.ts — do not edit\n';

/** A boolean TS expression for "v in r", simplified knowing v is always inside ctx. */
function cond(r: VersionRange | null, ctx: VersionRange): string {
  const i = intersect(r, ctx);
  if (!i) return 'false';
  const parts: string[] = [];
  if (i.lo > ctx.lo) parts.push(`v >= ${i.lo}`);
  if (i.hi < ctx.hi) parts.push(`v <= ${i.hi}`);
  return parts.length ? parts.join(' && ') : 'true';
}

function and(a: string, b: string): string {
  if (a === 'false' || b === 'false') return 'false';
  if (a === 'true') return b;
  if (b === 'true') return a;
  return `${a} && ${b}`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function docText(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim();
}

function rangeText(r: VersionRange | null): string {
  if (!r) return 'none';
  if (r.hi === Infinity) return `${r.lo}+`;
  return r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`;
}

/** Generates the TypeScript module of one message. */
class MessageEmitter {
  private readonly out: string[] = [];
  private readonly needDefault = new Set<StructSpec>();
  private readonly needIsDefault = new Set<StructSpec>();
  private readonly emittedDefault = new Set<StructSpec>();
  private readonly emittedIsDefault = new Set<StructSpec>();
  private readonly needArrays = new Set<string>();
  private readonly support = new Set<string>();
  private usesProtocolError = false;
  private usesWriterValue = false;

  constructor(private readonly msg: MessageSpec) {}

  /** Element types of scalar arrays used (for primitive-arrays.ts). */
  get primitiveArrays(): ReadonlySet<string> {
    return this.needArrays;
  }

  emit(): string {
    const m = this.msg;
    for (const s of m.structs) this.emitInterface(s);
    for (const s of m.structs) this.emitDecoder(s, s === m.root);
    for (const s of m.structs) this.emitEncoder(s, s === m.root);
    for (const s of m.structs) if (s !== m.root && this.isArrayElement(s)) this.emitArrayCodecs(s);
    // defaults and isDefault helpers may pull in more helpers while being emitted
    for (let again = true; again; ) {
      again = false;
      for (const s of [...this.needDefault]) if (!this.emittedDefault.has(s)) { this.emitDefault(s); again = true; }
      for (const s of [...this.needIsDefault]) if (!this.emittedIsDefault.has(s)) { this.emitIsDefault(s); again = true; }
    }
    const imports: string[] = [HEADER, `import type { Reader } from '../reader.js';`];
    imports.push(this.usesWriterValue ? `import { Writer } from '../writer.js';` : `import type { Writer } from '../writer.js';`);
    if (this.usesProtocolError) imports.push(`import { ProtocolError } from '../protocol-error.js';`);
    if (this.support.size) imports.push(`import { ${[...this.support].sort().join(', ')} } from '../codec-support.js';`);
    if (this.needArrays.size) {
      const names = [...this.needArrays].sort().flatMap((t) => [`read${cap(t)}Array`, `write${cap(t)}Array`]);
      imports.push(`import { ${names.join(', ')} } from './primitive-arrays.js';`);
    }
    return `${imports.join('\n')}\n\n${this.out.join('\n')}`;
  }

  private isArrayElement(s: StructSpec): boolean {
    const walk = (t: FieldType): boolean => (t.kind === 'array' ? (t.elem.kind === 'struct' && t.elem.struct === s) || walk(t.elem) : false);
    return this.msg.structs.some((p) => p.fields.some((f) => walk(f.type)));
  }

  private flexCond(ctx: VersionRange, f?: FieldSpec): string {
    if (f && f.flexibleOverride !== undefined) return cond(f.flexibleOverride, ctx);
    return cond(this.msg.flexible, ctx);
  }

  private tsType(f: FieldSpec): string {
    const base = (t: FieldType): string => {
      if (t.kind === 'array') {
        const e = base(t.elem);
        return e.includes(' ') ? `Array<${e}>` : `${e}[]`;
      }
      if (t.kind === 'struct') return t.struct.tsName;
      switch (t.name) {
        case 'bool': return 'boolean';
        case 'string': return 'string';
        case 'bytes': case 'records': case 'uuid': return 'Buffer';
        default: return 'number';
      }
    };
    const b = base(f.type);
    return f.nullable ? `${b} | null` : b;
  }

  private emitInterface(s: StructSpec): void {
    const m = this.msg;
    const o = this.out;
    o.push(s === m.root ? `/** ${m.name} (versions ${rangeText(m.valid)}, flexible ${rangeText(m.flexible)}). */` : `/** Struct of ${m.name}. */`);
    o.push(`export interface ${s.tsName} {`);
    for (const f of s.fields) {
      const notes = [`versions ${rangeText(f.versions)}`];
      if (f.nullable) notes.push(`nullable ${rangeText(f.nullable)}`);
      if (f.tagged) notes.push(`tag ${f.tag}`);
      if (f.default !== undefined) notes.push(`default ${String(f.default)}`);
      o.push(`  /** ${docText(f.about)} (${notes.join(', ')}) */`);
      o.push(`  ${f.prop}: ${this.tsType(f)};`);
    }
    o.push('}', '');
  }

  /** Fresh default value expression (decoded for absent fields). */
  private defaultExpr(f: FieldSpec): string {
    const d = defaultKind(f);
    if (d.kind === 'null') return 'null';
    if (d.kind === 'value') return JSON.stringify(d.value);
    const t = f.type;
    if (t.kind === 'array') return '[]';
    if (t.kind === 'struct') {
      this.needDefault.add(t.struct);
      return `default${t.struct.tsName}()`;
    }
    return t.name === 'uuid' ? 'Buffer.alloc(16)' : 'Buffer.alloc(0)';
  }

  /** Shared default used when encoding an absent (undefined) property. */
  private encodeDefault(f: FieldSpec, forceNonNull = false): string {
    const d = defaultKind(f);
    const t = f.type;
    if (d.kind === 'value') return JSON.stringify(d.value);
    if (d.kind === 'null' && !forceNonNull) return 'null';
    if (t.kind === 'array') return this.sup('EMPTY_ARRAY');
    if (t.kind === 'struct') return '{}';
    if (t.name === 'uuid') return this.sup('ZERO_UUID');
    if (t.name === 'string') return "''";
    if (t.name === 'bool') return 'false';
    if (NUMERIC.has(t.name)) return '0';
    return this.sup('EMPTY_BYTES');
  }

  private sup(name: string): string {
    this.support.add(name);
    return name;
  }

  // ----- decoding -----

  private readExpr(f: FieldSpec, ctx: VersionRange): string {
    const t = f.type;
    const flex = this.flexCond(ctx, f);
    const nc = cond(f.nullable, intersect(f.versions, ctx) ?? ctx);
    if (t.kind === 'struct') return `decode${t.struct.tsName}(r, v)`;
    if (t.kind === 'array') {
      const nonNull = nc === 'false' ? '!' : '';
      if (t.elem.kind === 'struct') return `decode${t.elem.struct.tsName}Array(r, v, ${nc})${nonNull}`;
      if (t.elem.kind === 'array') throw new Error(`${f.name}: nested arrays are not supported`);
      this.needArrays.add(t.elem.name);
      return `read${cap(t.elem.name)}Array(r, ${flex}, ${nc})${nonNull}`;
    }
    switch (t.name) {
      case 'string':
      case 'bytes':
      case 'records': {
        const kind = t.name === 'string' ? 'String' : 'Bytes';
        if (nc === 'true') return `r.nullable${kind}(${flex})`;
        if (nc === 'false') return `r.${kind.toLowerCase()}(${flex})`;
        return `(${nc} ? r.nullable${kind}(${flex}) : r.${kind.toLowerCase()}(${flex}))`;
      }
      default:
        return `r.${t.name}()`;
    }
  }

  private emitDecoder(s: StructSpec, isRoot: boolean): void {
    const o = this.out;
    const ctx = s.versions;
    const body: string[] = [];
    body.push(`  const o: ${s.tsName} = {`);
    const tagged: FieldSpec[] = [];
    for (const f of s.fields) {
      if (f.tagged) {
        tagged.push(f);
        body.push(`    ${f.prop}: ${this.defaultExpr(f)},`);
        continue;
      }
      const c = cond(f.versions, ctx);
      if (c === 'true') body.push(`    ${f.prop}: ${this.readExpr(f, ctx)},`);
      else if (c === 'false') body.push(`    ${f.prop}: ${this.defaultExpr(f)},`);
      else body.push(`    ${f.prop}: ${c} ? ${this.readExpr(f, ctx)} : ${this.defaultExpr(f)},`);
    }
    body.push('  };');
    const flex = cond(this.msg.flexible, ctx);
    if (flex !== 'false') {
      const lines: string[] = [];
      if (tagged.length === 0) {
        lines.push('r.skipTaggedFields();');
      } else {
        this.usesProtocolError = true;
        lines.push('for (let n = r.uvarint(); n > 0; n--) {');
        lines.push('  const tag = r.uvarint();');
        lines.push('  const size = r.uvarint();');
        lines.push('  const end = r.pos + size;');
        let first = true;
        const flexCtx = intersect(ctx, this.msg.flexible)!;
        for (const f of [...tagged].sort((a, b) => a.tag! - b.tag!)) {
          const tc = and(`tag === ${f.tag}`, cond(f.tagged, flexCtx));
          lines.push(`  ${first ? '' : 'else '}if (${tc}) o.${f.prop} = ${this.readExpr(f, flexCtx)};`);
          first = false;
        }
        lines.push('  else {', '    r.skip(size);', '    continue;', '  }');
        lines.push("  if (r.pos !== end) throw new ProtocolError(`tagged field ${tag}: size mismatch`);");
        lines.push('}');
      }
      if (flex === 'true') body.push(...lines.map((l) => `  ${l}`));
      else body.push(`  if (${flex}) {`, ...lines.map((l) => `    ${l}`), '  }');
    }
    body.push('  return o;');
    const text = body.join('\n');
    const vParam = /\bv\b/.test(text) ? 'v' : '_v';
    o.push(`${isRoot ? 'export ' : ''}function decode${s.tsName}(r: Reader, ${vParam}: number): ${s.tsName} {`, text, '}', '');
  }

  // ----- encoding -----

  /** Statement writing `val` (a property access that may be undefined) for field f. */
  private writeStmt(f: FieldSpec, ctx: VersionRange, val: string, w: string): string {
    const t = f.type;
    const flex = this.flexCond(ctx, f);
    const nc = cond(f.nullable, intersect(f.versions, ctx) ?? ctx);
    const nullableVal = () => `${val} === undefined ? ${this.encodeDefault(f)} : ${val}`;
    const nonNullVal = () => `${val} ?? ${this.encodeDefault(f, true)}`;
    const value = nc === 'true' ? nullableVal() : nc === 'false' ? nonNullVal() : `${nc} ? (${nullableVal()}) : (${nonNullVal()})`;
    if (t.kind === 'struct') return `encode${t.struct.tsName}(${w}, v, ${val} ?? {});`;
    if (t.kind === 'array') {
      if (t.elem.kind === 'struct') return `encode${t.elem.struct.tsName}Array(${w}, v, ${value});`;
      if (t.elem.kind === 'array') throw new Error(`${f.name}: nested arrays are not supported`);
      this.needArrays.add(t.elem.name);
      return `write${cap(t.elem.name)}Array(${w}, ${value}, ${flex});`;
    }
    switch (t.name) {
      case 'string':
      case 'bytes':
      case 'records': {
        const kind = t.name === 'string' ? 'String' : 'Bytes';
        if (nc === 'false') return `${w}.${kind.toLowerCase()}(${value}, ${flex});`;
        return `${w}.nullable${kind}(${value}, ${flex});`;
      }
      default:
        return `${w}.${t.name}(${value});`;
    }
  }

  /** Expression: true when `val` differs from the field's default (tagged fields, isDefault). */
  private notDefault(f: FieldSpec, val: string): string {
    const t = f.type;
    const d = defaultKind(f);
    if (t.kind === 'struct') {
      this.needIsDefault.add(t.struct);
      return `(${val} != null && !isDefault${t.struct.tsName}(${val}))`;
    }
    if (t.kind === 'scalar' && t.name === 'uuid') return `(${val} != null && !${this.sup('isZeroUuid')}(${val}))`;
    const isLengthy = t.kind === 'array' || t.name === 'bytes' || t.name === 'records';
    if (isLengthy) {
      if (d.kind === 'null') return `${val} != null`;
      if (f.nullable) return `(${val} !== undefined && (${val} === null || ${val}.length !== 0))`;
      return `(${val} != null && ${val}.length !== 0)`;
    }
    const def = d.kind === 'null' ? 'null' : JSON.stringify(d.kind === 'value' ? d.value : '');
    return `(${val} !== undefined && ${val} !== ${def})`;
  }

  private emitEncoder(s: StructSpec, isRoot: boolean): void {
    const o = this.out;
    const ctx = s.versions;
    const body: string[] = [];
    const tagged: FieldSpec[] = [];
    for (const f of s.fields) {
      if (f.tagged) {
        tagged.push(f);
        continue;
      }
      const c = cond(f.versions, ctx);
      if (c === 'false') continue;
      const stmt = this.writeStmt(f, ctx, `o.${f.prop}`, 'w');
      body.push(c === 'true' ? `  ${stmt}` : `  if (${c}) ${stmt}`);
    }
    const flex = cond(this.msg.flexible, ctx);
    if (flex !== 'false') {
      const lines: string[] = [];
      if (tagged.length === 0) {
        lines.push('w.uvarint(0);');
      } else {
        const sorted = [...tagged].sort((a, b) => a.tag! - b.tag!);
        const flexCtx = intersect(ctx, this.msg.flexible)!;
        sorted.forEach((f, i) => lines.push(`const t${i} = ${and(cond(f.tagged, flexCtx), this.notDefault(f, `o.${f.prop}`))};`));
        lines.push(`w.uvarint(${sorted.map((_, i) => `(t${i} ? 1 : 0)`).join(' + ')});`);
        this.usesWriterValue = true;
        this.sup('writeTaggedField');
        sorted.forEach((f, i) => {
          lines.push(`if (t${i}) {`, '  const tw = new Writer(64);', `  ${this.writeStmt(f, flexCtx, `o.${f.prop}`, 'tw')}`);
          lines.push(`  writeTaggedField(w, ${f.tag}, tw);`, '}');
        });
      }
      if (flex === 'true') body.push(...lines.map((l) => `  ${l}`));
      else body.push(`  if (${flex}) {`, ...lines.map((l) => `    ${l}`), '  }');
    }
    const text = body.join('\n');
    const vParam = /\bv\b/.test(text) ? 'v' : '_v';
    const oParam = /\bo\b/.test(text) ? 'o' : '_o';
    o.push(`${isRoot ? 'export ' : ''}function encode${s.tsName}(w: Writer, ${vParam}: number, ${oParam}: Partial<${s.tsName}>): void {`);
    if (text) o.push(text);
    o.push('}', '');
  }

  private emitArrayCodecs(s: StructSpec): void {
    const flex = cond(this.msg.flexible, s.versions);
    this.usesProtocolError = true;
    this.out.push(
      `function decode${s.tsName}Array(r: Reader, v: number, nullable: boolean): ${s.tsName}[] | null {`,
      `  const n = r.arrayLength(${flex});`,
      '  if (n < 0) {',
      '    if (nullable) return null;',
      "    throw new ProtocolError('null array in a non-nullable field');",
      '  }',
      `  const a: ${s.tsName}[] = [];`,
      `  for (let i = 0; i < n; i++) a.push(decode${s.tsName}(r, v));`,
      '  return a;',
      '}',
      '',
      `function encode${s.tsName}Array(w: Writer, v: number, a: ReadonlyArray<Partial<${s.tsName}>> | null): void {`,
      '  if (a === null) {',
      `    w.arrayLength(-1, ${flex});`,
      '    return;',
      '  }',
      `  w.arrayLength(a.length, ${flex});`,
      `  for (let i = 0; i < a.length; i++) encode${s.tsName}(w, v, a[i]!);`,
      '}',
      '',
    );
  }

  private emitDefault(s: StructSpec): void {
    this.emittedDefault.add(s);
    const lines = s.fields.map((f) => `    ${f.prop}: ${this.defaultExpr(f)},`);
    this.out.push(`function default${s.tsName}(): ${s.tsName} {`, '  return {', ...lines, '  };', '}', '');
  }

  private emitIsDefault(s: StructSpec): void {
    this.emittedIsDefault.add(s);
    const checks = s.fields.map((f) => this.notDefault(f, `o.${f.prop}`));
    this.out.push(`function isDefault${s.tsName}(o: Partial<${s.tsName}>): boolean {`, `  return !(${checks.join(' ||\n    ')});`, '}', '');
  }
}

const PRIMITIVE_TS: Record<string, string> = {
  bool: 'boolean', int8: 'number', int16: 'number', uint16: 'number', int32: 'number', uint32: 'number',
  int64: 'number', float64: 'number', string: 'string', uuid: 'Buffer',
};

/** Straight-line readers/writers for arrays of scalars, one pair per element type used. */
function emitPrimitiveArrays(types: Set<string>): string {
  const out: string[] = [HEADER, `import type { Reader } from '../reader.js';`, `import type { Writer } from '../writer.js';`, `import { ProtocolError } from '../protocol-error.js';`, ''];
  for (const t of [...types].sort()) {
    const ts = PRIMITIVE_TS[t];
    if (!ts) throw new Error(`arrays of ${t} are not supported`);
    const read = t === 'string' ? 'r.string(compact)' : `r.${t}()`;
    const write = t === 'string' ? 'w.string(a[i]!, compact)' : `w.${t}(a[i]!)`;
    out.push(
      `export function read${cap(t)}Array(r: Reader, compact: boolean, nullable: boolean): ${ts}[] | null {`,
      '  const n = r.arrayLength(compact);',
      '  if (n < 0) {',
      '    if (nullable) return null;',
      "    throw new ProtocolError('null array in a non-nullable field');",
      '  }',
      `  const a: ${ts}[] = [];`,
      `  for (let i = 0; i < n; i++) a.push(${read});`,
      '  return a;',
      '}',
      '',
      `export function write${cap(t)}Array(w: Writer, a: readonly ${ts}[] | null, compact: boolean): void {`,
      '  if (a === null) {',
      '    w.arrayLength(-1, compact);',
      '    return;',
      '  }',
      '  w.arrayLength(a.length, compact);',
      `  for (let i = 0; i < a.length; i++) ${write};`,
      '}',
      '',
    );
  }
  return out.join('\n');
}

interface ApiEntry {
  apiKey: number;
  name: string;
  request: MessageSpec;
  response: MessageSpec;
}

function emitRegistry(apis: ApiEntry[]): string {
  const out: string[] = [HEADER, `import type { Reader } from '../reader.js';`, `import type { Writer } from '../writer.js';`];
  for (const a of apis) {
    out.push(`import { decode${a.request.name}, encode${a.request.name} } from './${a.request.fileBase}.js';`);
    out.push(`import { decode${a.response.name}, encode${a.response.name} } from './${a.response.fileBase}.js';`);
  }
  out.push(
    '',
    '/** Codec entry points and version ranges of one API key. */',
    'export interface GeneratedApi {',
    '  apiKey: number;',
    '  name: string;',
    '  minVersion: number;',
    '  maxVersion: number;',
    '  /** First flexible request version (Infinity when none). */',
    '  requestFlexibleMin: number;',
    '  /** First flexible response version (Infinity when none). */',
    '  responseFlexibleMin: number;',
    '  decodeRequest(r: Reader, v: number): any;',
    '  encodeRequest(w: Writer, v: number, o: any): void;',
    '  decodeResponse(r: Reader, v: number): any;',
    '  encodeResponse(w: Writer, v: number, o: any): void;',
    '}',
    '',
    'export const generatedApis: readonly GeneratedApi[] = [',
  );
  const flexMin = (m: MessageSpec) => (m.flexible ? String(m.flexible.lo) : 'Infinity');
  for (const a of apis) {
    out.push(
      '  {',
      `    apiKey: ${a.apiKey},`,
      `    name: '${a.name}',`,
      `    minVersion: ${a.request.valid.lo},`,
      `    maxVersion: ${a.request.valid.hi},`,
      `    requestFlexibleMin: ${flexMin(a.request)},`,
      `    responseFlexibleMin: ${flexMin(a.response)},`,
      `    decodeRequest: decode${a.request.name},`,
      `    encodeRequest: encode${a.request.name},`,
      `    decodeResponse: decode${a.response.name},`,
      `    encodeResponse: encode${a.response.name},`,
      '  },',
    );
  }
  out.push('];', '');
  return out.join('\n');
}

function emitApiKeys(apis: ApiEntry[]): string {
  const lines = apis.map((a) => `  ${a.name}: ${a.apiKey},`);
  return [HEADER, '/** Kafka API keys by name, for every API in the message schemas. */', 'export const ApiKeys = {', ...lines, '} as const;', ''].join('\n');
}

/** Generate every output file (name -> content) from the schemas in `schemaDir`. */
export function generateProtocolFiles(schemaDirs: string | readonly string[]): Map<string, string> {
  const specs = loadMessageSpecs(schemaDirs);
  const files = new Map<string, string>();
  const arrays = new Set<string>();
  const tsNames = new Map<string, string>();
  for (const m of specs) {
    for (const s of m.structs) {
      const prev = tsNames.get(s.tsName);
      if (prev) throw new Error(`interface name ${s.tsName} defined by both ${prev} and ${m.name}`);
      tsNames.set(s.tsName, m.name);
    }
    const e = new MessageEmitter(m);
    files.set(`${m.fileBase}.ts`, e.emit());
    for (const t of e.primitiveArrays) arrays.add(t);
  }
  files.set('primitive-arrays.ts', emitPrimitiveArrays(arrays));

  const requests = specs.filter((m) => m.type === 'request');
  const apis: ApiEntry[] = requests
    .map((req) => {
      const base = req.name.replace(/Request$/, '');
      const response = specs.find((m) => m.type === 'response' && m.name === `${base}Response`);
      if (!response || response.apiKey !== req.apiKey) throw new Error(`no response schema for ${req.name}`);
      return { apiKey: req.apiKey!, name: base, request: req, response };
    })
    .sort((a, b) => a.apiKey - b.apiKey);
  files.set('registry.ts', emitRegistry(apis));
  files.set('api-keys.ts', emitApiKeys(apis));
  const bodies = specs.filter((m) => m.type !== 'header').map((m) => `export type * from './${m.fileBase}.js';`);
  files.set('message-types.ts', [HEADER, '/** Typed request/response bodies of every API. */', ...bodies, ''].join('\n'));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The official schemas and the ones written here for APIs they lack (relative to scripts/). */
export const SCHEMA_DIRS = ['../schemas/messages', '../schemas/supplement'];

function main(argv: string[]): void {
  const scriptDir = dirname(fileURLToPath(import.meta.url));
  const schemaDirs = argv[0] ? argv[0].split(',').map((d) => resolve(d)) : SCHEMA_DIRS.map((d) => resolve(scriptDir, d));
  const outDir = resolve(argv[1] ?? resolve(scriptDir, '../src/protocol/generated'));
  const files = generateProtocolFiles(schemaDirs);
  mkdirSync(outDir, { recursive: true });
  // Remove generated files that no longer have a schema.
  for (const f of readdirSync(outDir)) if (f.endsWith('.ts') && !files.has(f)) rmSync(join(outDir, f));
  for (const [name, content] of files) writeFileSync(join(outDir, name), content);
  console.log(`generated ${files.size} files into ${outDir}`);
}

if (process.argv[1] && existsSync(process.argv[1]) && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
