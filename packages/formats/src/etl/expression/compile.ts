/**
 * Compiles a syntax tree into a tree of closures, once per rules version; evaluating a record is
 * then plain function calls (no `eval`, no `new Function`, no parsing per record).
 *
 * Semantics: a missing field is `null`; protobuf int64 values (Long) compare as numbers;
 * `==`/`!=` are strict (no coercion); `<`, `<=`, `>`, `>=` compare two numbers or two strings
 * and are false otherwise; `&&`, `||` and `!` use truthiness and yield booleans.
 */

import type { Node } from './ast.js';
import { ExpressionError } from './errors.js';
import { parseExpression } from './parser.js';
import { readPath } from '../values.js';

/** A compiled expression: evaluates against one record value. */
export type Evaluator = (value: unknown) => unknown;

type Fn = (args: unknown[]) => unknown;

const FUNCTIONS: Record<string, { arity: number; fn: Fn }> = {
  lower: { arity: 1, fn: ([s]) => (typeof s === 'string' ? s.toLowerCase() : null) },
  upper: { arity: 1, fn: ([s]) => (typeof s === 'string' ? s.toUpperCase() : null) },
  startsWith: { arity: 2, fn: ([s, p]) => typeof s === 'string' && typeof p === 'string' && s.startsWith(p) },
  endsWith: { arity: 2, fn: ([s, p]) => typeof s === 'string' && typeof p === 'string' && s.endsWith(p) },
  contains: { arity: 2, fn: ([s, p]) => typeof s === 'string' && typeof p === 'string' && s.includes(p) },
  len: {
    arity: 1,
    fn: ([x]) => (typeof x === 'string' || Array.isArray(x) || x instanceof Uint8Array ? x.length : null),
  },
};

/** Names of the built-in functions. */
export const EXPRESSION_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

/** Parse and compile `source`; throws an {@link ExpressionError} with the position. */
export function compileExpression(source: string): Evaluator {
  return build(parseExpression(source), source);
}

/** Compile `source` as a condition: its value's truthiness (a missing field, 0, '' and null are false). */
export function compileCondition(source: string): (value: unknown) => boolean {
  const ev = compileExpression(source);
  return (value) => truthy(ev(value));
}

/** Undefined becomes null, Long and bigint become numbers. */
function normalize(x: unknown): unknown {
  if (x === undefined) return null;
  if (typeof x === 'bigint') return Number(x);
  if (typeof x === 'object' && x !== null && 'low' in x && 'high' in x && typeof (x as { toNumber?: unknown }).toNumber === 'function') {
    return (x as unknown as { toNumber(): number }).toNumber();
  }
  return x;
}

function truthy(x: unknown): boolean {
  return Boolean(normalize(x));
}

function build(node: Node, source: string): Evaluator {
  switch (node.kind) {
    case 'literal': {
      const v = node.value;
      return () => v;
    }
    case 'path':
      return pathGetter(node.segments);
    case 'not': {
      const arg = build(node.arg, source);
      return (r) => !truthy(arg(r));
    }
    case 'negate': {
      const arg = build(node.arg, source);
      return (r) => {
        const v = normalize(arg(r));
        return typeof v === 'number' ? -v : null;
      };
    }
    case 'and': {
      const l = build(node.left, source);
      const rt = build(node.right, source);
      return (r) => truthy(l(r)) && truthy(rt(r));
    }
    case 'or': {
      const l = build(node.left, source);
      const rt = build(node.right, source);
      return (r) => truthy(l(r)) || truthy(rt(r));
    }
    case 'compare':
      return comparison(node.op, build(node.left, source), build(node.right, source));
    case 'in': {
      const value = build(node.value, source);
      if (node.list.every((n) => n.kind === 'literal')) {
        const set = new Set(node.list.map((n) => (n as { value: unknown }).value));
        return (r) => set.has(normalize(value(r)));
      }
      const items = node.list.map((n) => build(n, source));
      return (r) => {
        const v = normalize(value(r));
        for (const item of items) if (normalize(item(r)) === v) return true;
        return false;
      };
    }
    case 'call': {
      const f = Object.hasOwn(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
      if (f === undefined) throw new ExpressionError(`unknown function '${node.name}' (known: ${EXPRESSION_FUNCTIONS.join(', ')})`, source, node.pos);
      if (node.args.length !== f.arity) throw new ExpressionError(`${node.name}() takes ${f.arity} argument${f.arity === 1 ? '' : 's'}, got ${node.args.length}`, source, node.pos);
      const args = node.args.map((n) => build(n, source));
      const fn = f.fn;
      if (args.length === 1) {
        const a = args[0]!;
        return (r) => fn([normalize(a(r))]);
      }
      return (r) => fn(args.map((a) => normalize(a(r))));
    }
  }
}

/** Reads a dotted path; any missing step gives undefined (prototype defaults of protobuf messages included). */
function pathGetter(segments: readonly string[]): Evaluator {
  if (segments.length === 1) {
    const [s] = segments as [string];
    return (r) => (r === null || typeof r !== 'object' ? undefined : (r as Record<string, unknown>)[s]);
  }
  return (r) => readPath(r, segments);
}

function comparison(op: string, left: Evaluator, right: Evaluator): Evaluator {
  switch (op) {
    case '==':
      return (r) => normalize(left(r)) === normalize(right(r));
    case '!=':
      return (r) => normalize(left(r)) !== normalize(right(r));
    default: {
      const test = ORDER[op]!;
      return (r) => {
        const a = normalize(left(r));
        const b = normalize(right(r));
        if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return test(a, b);
        return false;
      };
    }
  }
}

const ORDER: Record<string, (a: number | string, b: number | string) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};
