/**
 * Recursive-descent parser of rule expressions. Precedence, lowest first: `||`, `&&`,
 * comparisons and `in` (not chainable), unary `!` and `-`, then literals, field paths, calls
 * and parentheses.
 */

import type { ComparisonOp, Node } from './ast.js';
import { ExpressionError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Map<string, boolean | null>([
  ['true', true],
  ['false', false],
  ['null', null],
]);
/** Path segments that could reach the prototype chain. */
export const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_DEPTH = 64;

/** Parse `source` into a syntax tree; throws an {@link ExpressionError} with the position. */
export function parseExpression(source: string): Node {
  return new Parser(source).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseAll(): Node {
    if (this.peek().kind === 'end') throw this.error('empty expression', this.peek());
    const node = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.error(`unexpected ${describe(rest)}`, rest);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private expectOp(text: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) throw this.error(`expected '${text}' but found ${describe(t)}`, t);
    return t;
  }

  private error(reason: string, at: Token): ExpressionError {
    return new ExpressionError(reason, this.source, at.pos);
  }

  private or(): Node {
    let left = this.and();
    while (this.isOp('||')) {
      const op = this.next();
      left = { kind: 'or', left, right: this.and(), pos: op.pos };
    }
    return left;
  }

  private and(): Node {
    let left = this.comparison();
    while (this.isOp('&&')) {
      const op = this.next();
      left = { kind: 'and', left, right: this.comparison(), pos: op.pos };
    }
    return left;
  }

  private comparison(): Node {
    const left = this.unary();
    const t = this.peek();
    let node: Node;
    if (t.kind === 'op' && COMPARISONS.has(t.text)) {
      this.next();
      node = { kind: 'compare', op: t.text as ComparisonOp, left, right: this.unary(), pos: t.pos };
    } else if (t.kind === 'ident' && t.text === 'in') {
      this.next();
      node = { kind: 'in', value: left, list: this.list(), pos: t.pos };
    } else {
      return left;
    }
    const after = this.peek();
    if ((after.kind === 'op' && COMPARISONS.has(after.text)) || (after.kind === 'ident' && after.text === 'in')) {
      throw this.error(`comparisons do not chain: use && or parentheses before ${describe(after)}`, after);
    }
    return node;
  }

  private list(): Node[] {
    this.expectOp('[');
    const items: Node[] = [];
    if (this.isOp(']')) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.or());
      if (this.isOp(']')) break;
      this.expectOp(',');
    }
    this.next();
    return items;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '!' || t.text === '-')) {
      this.next();
      return this.nested(() => ({ kind: t.text === '!' ? 'not' : 'negate', arg: this.unary(), pos: t.pos }));
    }
    return this.primary();
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw this.error(`expression nested deeper than ${MAX_DEPTH}`, this.peek());
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: t.value!, pos: t.pos };
      case 'ident': {
        if (KEYWORDS.has(t.text)) return { kind: 'literal', value: KEYWORDS.get(t.text)!, pos: t.pos };
        if (t.text === 'in') throw this.error("unexpected 'in'", t);
        if (this.isOp('(')) return this.call(t);
        return this.path(t);
      }
      case 'op':
        if (t.text === '(') {
          const inner = this.nested(() => this.or());
          this.expectOp(')');
          return inner;
        }
        throw this.error(`unexpected ${describe(t)}`, t);
      default:
        throw this.error('unexpected end of expression', t);
    }
  }

  private call(name: Token): Node {
    this.next(); // (
    const args: Node[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.nested(() => this.or()));
        if (this.isOp(')')) break;
        this.expectOp(',');
      }
    }
    this.next();
    return { kind: 'call', name: name.text, args, pos: name.pos };
  }

  private path(first: Token): Node {
    const segments = [this.segment(first)];
    while (this.isOp('.')) {
      this.next();
      const t = this.next();
      if (t.kind === 'number' && /^\d+$/.test(t.text)) segments.push(t.text);
      else if (t.kind === 'ident') segments.push(this.segment(t));
      else throw this.error(`expected a field name after '.' but found ${describe(t)}`, t);
    }
    return { kind: 'path', segments, pos: first.pos };
  }

  private segment(t: Token): string {
    if (FORBIDDEN_SEGMENTS.has(t.text)) throw this.error(`field name '${t.text}' is not allowed`, t);
    return t.text;
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of expression';
  return `'${t.text}'`;
}
