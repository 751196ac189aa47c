/**
 * Run-time validation of the options of public factories. Types only protect callers who
 * compile with tsc; plain JS, tsx and values from the environment reach factories unchecked,
 * and a misspelt option must fail at construction instead of silently meaning a default.
 */

import { z } from 'zod';
import { didYouMean } from './suggest.js';

/** Options a factory or constructor rejected; `problems` has one line per problem, with its path. */
export class OptionsError extends Error {
  constructor(
    /** What was validated, e.g. `kafkaSink options`. */
    readonly label: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid ${label}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OptionsError';
  }
}

/** Parse `value` with `schema` or throw an {@link OptionsError} listing every problem. */
export function validateOptions<S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new OptionsError(label, describeIssues(result.error.issues, []));
}

type Issue = z.core.$ZodIssue;
type Path = ReadonlyArray<PropertyKey>;

function describeIssues(issues: readonly Issue[], base: Path): string[] {
  return issues.flatMap((issue) => describeIssue(issue, [...base, ...issue.path]));
}

function describeIssue(issue: Issue, path: Path): string[] {
  const where = formatPath(path);
  const at = (m: string) => `${where === '' ? '(options)' : where}: ${m}`;
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // a value of none of the members' types: say which types would do
    if (issue.errors.every((branch) => branch.some(isTypeMismatch))) return [at(`expected ${expectedOf(issue.errors)}, got ${describeValue(issue.errors[0]![0]!.input)}`)];
    return describeIssues(bestBranch(issue.errors), path);
  }
  // several unknown keys of one object: one line each
  return messageOf(issue, where === '')
    .split(/; (?=unknown key ')/)
    .map(at);
}

function messageOf(issue: Issue, atRoot: boolean): string {
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    // a discriminated union's tag (`kind`)
    const options = issue.options.map(String);
    const got = (issue.input as Record<string, unknown> | undefined)?.[String(issue.discriminator)];
    return `invalid value ${describeValue(got)}; expected ${options.map((o) => `'${o}'`).join(' | ')}${typeof got === 'string' ? didYouMean(got, options) : ''}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined && !atRoot) return `required (${issue.expected})`;
  // zod's own wording ("Invalid input: ...") is replaced where ours says more
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) return `expected ${issue.expected}, got ${describeValue(issue.input)}`;
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) {
    return `invalid value ${describeValue(issue.input)}; expected ${issue.values.map((v) => describeValue(v)).join(' | ')}`;
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.message.startsWith('Too')) return boundMessage(issue);
  if (issue.code === 'unrecognized_keys' && issue.message.startsWith('Unrecognized')) return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return issue.message;
}

function boundMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
  if (issue.origin === 'array' || issue.origin === 'string') {
    if (small && bound === 1) return issue.origin === 'array' ? 'must not be empty' : 'must not be an empty string';
    return `must have ${small ? 'at least' : 'at most'} ${bound} ${issue.origin === 'array' ? 'items' : 'characters'}`;
  }
  return `must be ${small ? '>' : '<'}${issue.inclusive ? '=' : ''} ${bound}, got ${describeValue(issue.input)}`;
}

/**
 * The union member the value most likely meant: not one of a different type, then the fewest
 * problems, preferring problems that come with a suggestion.
 */
function bestBranch(branches: Issue[][]): Issue[] {
  let best = branches[0]!;
  let bestScore = Infinity;
  for (const issues of branches) {
    const score = issues.reduce((s, i) => s + (isTypeMismatch(i) ? 1000 : i.message.includes('did you mean') ? 0.5 : 1), 0);
    if (score < bestScore) {
      best = issues;
      bestScore = score;
    }
  }
  return best;
}

function isTypeMismatch(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  // custom issues at a member's root are the shape checks of `custom`, `fn` and `withMethods`
  if (issue.code === 'invalid_type' || issue.code === 'custom') return true;
  return issue.code === 'invalid_value' && !issue.values.some((v) => typeof v === typeof issue.input);
}

/** What the members of a union accept, e.g. `array or a RegExp`. */
function expectedOf(branches: Issue[][]): string {
  const kinds = branches.map((branch) => {
    const i = branch.find(isTypeMismatch)!;
    if (i.code === 'invalid_type') return `${/^[aeiou]/.test(i.expected) ? 'an' : 'a'} ${i.expected}`;
    if (i.code === 'invalid_value') return i.values.map((v) => describeValue(v)).join(' | ');
    return /expected (.*?), got /.exec(i.message)?.[1] ?? i.message;
  });
  return [...new Set(kinds)].join(' or ');
}

function formatPath(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s;
}

/** A short rendering of a rejected value for messages. */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  return `an ${typeof v}`;
}

/** Hints for keys that were renamed or moved: shown instead of the plain "unknown key". */
export type KeyHints = Readonly<Record<string, string>>;

/**
 * A strict object: unknown keys fail with a "did you mean" from the known keys (or a hint for
 * keys that moved).
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, hints: KeyHints = {}) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys.map((k) => `unknown key '${k}'${hints[k] !== undefined ? `: ${hints[k]}` : didYouMean(k, known)}`).join('; ');
    },
  });
}

/** One of fixed string values; a misspelling fails with the allowed values and a suggestion. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, {
    error: (issue) => {
      if (issue.code !== 'invalid_value') return undefined;
      const got = issue.input;
      return `invalid value ${describeValue(got)}; expected ${values.map((v) => `'${v}'`).join(' | ')}${typeof got === 'string' ? didYouMean(got, values) : ''}`;
    },
  });
}

/** A value checked only by a predicate: functions, class instances, objects passed through. */
export function custom<T>(check: (v: unknown) => boolean, expected: string) {
  return z.custom<T>(check, { error: (issue) => `expected ${expected}, got ${describeValue(issue.input)}` });
}

/** Any function, typed as `T`; the value passes through unchanged. */
export function fn<T extends (...args: any[]) => unknown>() {
  return custom<T>((v) => typeof v === 'function', 'a function');
}

/** A duration or interval in ms: finite and >= 0. */
export function durationMs() {
  return z.number().finite().min(0);
}

/** A count: an integer >= `min` (default 1). */
export function count(min = 1) {
  return z.number().int().min(min);
}

type Assignable<A, B> = [A] extends [B] ? true : false;
/** Mutually assignable, with the same keys (an optional key missing on one side counts). */
type Same<A, B> = [Assignable<A, B>, Assignable<B, A>, Assignable<keyof A, keyof B>, Assignable<keyof B, keyof A>] extends [true, true, true, true] ? true : false;

/**
 * Ties a schema to a hand-written options type (which keeps its doc comments): compilation
 * fails when the schema's input type and `T` accept different values.
 * `const schema = schemaFor<MyOptions>()(strictObject({ ... }))`.
 */
export function schemaFor<T>() {
  return <S extends z.ZodType>(schema: S & (Same<z.input<S>, T> extends true ? unknown : { 'schema and type differ': [z.input<S>, T] })): S => schema;
}

/** An object with these methods (loggers, storage, clients), passed through unchanged. */
export function withMethods<T>(methods: readonly string[], expected: string) {
  return custom<T>((v) => typeof v === 'object' && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'), expected);
}
