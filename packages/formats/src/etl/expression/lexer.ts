/** Tokens of the rule expression language, with their positions. */

import { ExpressionError } from './errors.js';

export type TokenKind = 'number' | 'string' | 'ident' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** Operator / punctuation text, identifier name, or the raw literal. */
  text: string;
  /** Parsed value of number and string literals. */
  value?: number | string;
  pos: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', ',', '.', '-'];
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

/** Split `source` into tokens; throws an {@link ExpressionError} at the first bad character. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    // a digit right after '.' is a path segment (items.0), read as a number token either way
    if (c >= '0' && c <= '9') {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(source)!;
      tokens.push({ kind: 'number', text: m[0], value: Number(m[0]), pos: i });
      i += m[0].length;
      continue;
    }
    IDENT.lastIndex = i;
    const id = IDENT.exec(source);
    if (id !== null) {
      tokens.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new ExpressionError('unterminated string', source, start);
        const ch = source[i]!;
        if (ch === c) break;
        if (ch === '\\') {
          const esc = ESCAPES[source[i + 1] ?? ''];
          if (esc === undefined) throw new ExpressionError('unknown escape in string', source, i);
          value += esc;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: source.slice(start, i), value, pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined && c === '=') throw new ExpressionError("unexpected '=' (compare with '==')", source, i);
    if (op === undefined) throw new ExpressionError(`unexpected character '${c}'`, source, i);
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: 'end of expression', pos: source.length });
  return tokens;
}
