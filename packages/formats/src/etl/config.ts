/** The ETL rules configuration (plain JSON) and its validation. */

import { ExpressionError } from './expression/errors.js';
import { FORBIDDEN_SEGMENTS } from './expression/parser.js';

/** Route to the first case whose `when` expression is true. */
export interface RouteCase {
  when: string;
  stream: string;
}

/** Rules of one stream, applied in this order: drop, filter, routeTo, project, rename. */
export interface StreamRules {
  /** Drop every record of the stream. */
  drop?: boolean;
  /** Keep only records for which this expression is true (evaluated on the input value). */
  filter?: string;
  /** New stream name, or cases evaluated on the input value (no match: the stream stays). */
  routeTo?: string | RouteCase[];
  /** Keep only these fields (dotted paths into nested messages). */
  project?: string[];
  /** Move fields: `{ from: to }` (dotted paths; applied after `project`, all at once). */
  rename?: Record<string, string>;
}

/** A whole configuration: rules per input stream (streams without rules pass through). */
export interface EtlRulesConfig {
  /** Free-form version label (reported, not interpreted). */
  version?: number | string;
  streams: Record<string, StreamRules>;
}

/** An invalid configuration: every problem, each with its JSON path. */
export class EtlConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid ETL rules: ${problems.join('; ')}`);
    this.name = 'EtlConfigError';
  }
}

const STREAM_KEYS = new Set(['drop', 'filter', 'routeTo', 'project', 'rename']);

/** Problems of `raw` as a configuration (expressions are checked by the compiler). */
export function configProblems(raw: unknown): string[] {
  const problems: string[] = [];
  if (!isPlainObject(raw)) return ['the configuration must be a JSON object'];
  for (const key of Object.keys(raw)) if (key !== 'version' && key !== 'streams') problems.push(`${key}: unknown key (expected 'version' or 'streams')`);
  if (raw.version !== undefined && typeof raw.version !== 'number' && typeof raw.version !== 'string') problems.push('version: must be a number or a string');
  if (!isPlainObject(raw.streams)) {
    problems.push('streams: must be an object of stream name -> rules');
    return problems;
  }
  for (const [stream, rules] of Object.entries(raw.streams)) {
    const at = `streams.${stream}`;
    if (stream.length === 0) problems.push('streams: a stream name must not be empty');
    if (!isPlainObject(rules)) {
      problems.push(`${at}: must be an object`);
      continue;
    }
    for (const key of Object.keys(rules)) if (!STREAM_KEYS.has(key)) problems.push(`${at}.${key}: unknown rule (expected one of ${[...STREAM_KEYS].join(', ')})`);
    if (rules.drop !== undefined && typeof rules.drop !== 'boolean') problems.push(`${at}.drop: must be true or false`);
    if (rules.filter !== undefined && typeof rules.filter !== 'string') problems.push(`${at}.filter: must be an expression string`);
    checkRoute(rules.routeTo, `${at}.routeTo`, problems);
    checkProject(rules.project, `${at}.project`, problems);
    checkRename(rules.rename, `${at}.rename`, problems);
  }
  return problems;
}

function checkRoute(route: unknown, at: string, problems: string[]): void {
  if (route === undefined) return;
  if (typeof route === 'string') {
    if (route.length === 0) problems.push(`${at}: must not be empty`);
    return;
  }
  if (!Array.isArray(route)) {
    problems.push(`${at}: must be a stream name or a list of { when, stream }`);
    return;
  }
  route.forEach((c: unknown, i) => {
    if (!isPlainObject(c) || typeof c.when !== 'string' || typeof c.stream !== 'string' || c.stream.length === 0 || Object.keys(c).some((k) => k !== 'when' && k !== 'stream')) {
      problems.push(`${at}[${i}]: must be { "when": expression, "stream": name }`);
    }
  });
}

function checkProject(project: unknown, at: string, problems: string[]): void {
  if (project === undefined) return;
  if (!Array.isArray(project) || project.length === 0) {
    problems.push(`${at}: must be a non-empty list of field paths`);
    return;
  }
  const paths: string[] = [];
  project.forEach((p: unknown, i) => {
    const problem = fieldPathProblem(p);
    if (problem !== undefined) problems.push(`${at}[${i}]: ${problem}`);
    else paths.push(p as string);
  });
  for (const a of paths) {
    for (const b of paths) if (a !== b && b.startsWith(`${a}.`)) problems.push(`${at}: '${b}' is inside '${a}' (list one of them)`);
  }
  if (new Set(paths).size !== paths.length) problems.push(`${at}: duplicate field paths`);
}

function checkRename(rename: unknown, at: string, problems: string[]): void {
  if (rename === undefined) return;
  if (!isPlainObject(rename)) {
    problems.push(`${at}: must be an object of { "from": "to" }`);
    return;
  }
  const targets = new Set<string>();
  for (const [from, to] of Object.entries(rename)) {
    const pf = fieldPathProblem(from);
    if (pf !== undefined) problems.push(`${at}: '${from}': ${pf}`);
    const pt = fieldPathProblem(to);
    if (pt !== undefined) problems.push(`${at}.${from}: ${pt}`);
    else if (targets.has(to as string)) problems.push(`${at}.${from}: two fields renamed to '${String(to)}'`);
    else targets.add(to as string);
  }
}

const SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$]*$|^\d+$/;

/** Why `p` is not a dotted field path, or undefined. */
export function fieldPathProblem(p: unknown): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'must be a non-empty field path string';
  for (const s of p.split('.')) {
    if (!SEGMENT.test(s)) return `'${p}' is not a field path (segments are identifiers or indexes, joined by '.')`;
    if (FORBIDDEN_SEGMENTS.has(s)) return `field name '${s}' is not allowed`;
  }
  return undefined;
}

/** Format an expression error for the problem list. */
export function expressionProblem(at: string, err: unknown): string {
  if (err instanceof ExpressionError) return `${at}: ${err.message}`;
  return `${at}: ${String(err)}`;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
