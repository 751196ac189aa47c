/** Compiling a rules configuration into one function per stream (once per configuration version). */

import { configProblems, EtlConfigError, expressionProblem, type EtlRulesConfig, type StreamRules } from './config.js';
import { compileCondition } from './expression/compile.js';
import { project, rename } from './values.js';

/** What the rules apply to: a record with a stream name and a value (e.g. a `DecodedRecord`). */
export interface EtlRecord {
  stream: string;
  value: object;
}

/** A compiled configuration. Immutable: a new configuration compiles to a new object. */
export interface CompiledRules {
  /** The configuration's `version` label. */
  readonly version: number | string | undefined;
  /** Canonical JSON of the configuration (equal configurations have equal fingerprints). */
  readonly fingerprint: string;
  /**
   * Apply the rules of `record.stream`: `null` when dropped or filtered out; the same object when
   * nothing changed; otherwise a copy with the new `stream` and/or `value` (other fields kept).
   * Never mutates `record` or its value.
   */
  apply<R extends EtlRecord>(record: R): R | null;
}

type StreamFn = <R extends EtlRecord>(record: R) => R | null;

/**
 * Validate and compile `config` (every expression parsed and compiled once, here). Throws an
 * {@link EtlConfigError} listing every problem, with JSON paths and expression columns.
 */
export function compileRules(config: unknown): CompiledRules {
  const problems = configProblems(config);
  if (problems.length > 0) throw new EtlConfigError(problems);
  const c = config as EtlRulesConfig;
  const byStream = new Map<string, StreamFn>();
  for (const [stream, rules] of Object.entries(c.streams)) {
    const fn = compileStream(rules, `streams.${stream}`, problems);
    if (fn !== undefined) byStream.set(stream, fn);
  }
  if (problems.length > 0) throw new EtlConfigError(problems);
  return {
    version: c.version,
    fingerprint: JSON.stringify(config),
    apply<R extends EtlRecord>(record: R): R | null {
      const fn = byStream.get(record.stream);
      return fn === undefined ? record : fn(record);
    },
  };
}

function compileStream(rules: StreamRules, at: string, problems: string[]): StreamFn | undefined {
  const expr = (source: string, path: string): ((value: unknown) => boolean) => {
    try {
      return compileCondition(source);
    } catch (err) {
      problems.push(expressionProblem(path, err));
      return () => false;
    }
  };
  if (rules.drop === true) return () => null;
  const filter = rules.filter === undefined ? undefined : expr(rules.filter, `${at}.filter`);
  const route = rules.routeTo;
  const fixedRoute = typeof route === 'string' ? route : undefined;
  const cases = Array.isArray(route) ? route.map((r, i) => ({ when: expr(r.when, `${at}.routeTo[${i}].when`), stream: r.stream })) : [];
  const projection = rules.project?.map((p) => p.split('.'));
  const moves = Object.entries(rules.rename ?? {}).map(([from, to]) => ({ from: from.split('.'), to: to.split('.') }));
  const reshape = projection !== undefined || moves.length > 0;
  return <R extends EtlRecord>(record: R): R | null => {
    const input = record.value;
    if (filter !== undefined && !filter(input)) return null;
    let stream = fixedRoute ?? record.stream;
    for (const c of cases) {
      if (c.when(input)) {
        stream = c.stream;
        break;
      }
    }
    if (!reshape) return stream === record.stream ? record : { ...record, stream };
    let value: unknown = projection === undefined ? input : project(input, projection);
    if (moves.length > 0) value = rename(value, moves);
    return { ...record, stream, value };
  };
}
