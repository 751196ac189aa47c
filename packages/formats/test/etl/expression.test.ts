import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { compileCondition, compileExpression, ExpressionError } from '@weir/formats';

const ev = (src: string, value: unknown = {}) => compileExpression(src)(value);

function errorOf(src: string): ExpressionError {
  try {
    compileExpression(src);
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionError);
    return err as ExpressionError;
  }
  throw new Error(`'${src}' compiled`);
}

describe('expression parser', () => {
  it('binds && tighter than ||, and comparisons tighter than &&', () => {
    expect(ev('true || false && false')).toBe(true); // true || (false && false)
    expect(ev('(true || false) && false')).toBe(false);
    expect(ev('1 == 1 || 1 == 2 && false')).toBe(true);
    expect(ev('1 < 2 && 2 < 1')).toBe(false);
    expect(ev('!false && false')).toBe(false); // (!false) && false
    expect(ev('!(false && false)')).toBe(true);
    expect(ev('!a == true', { a: 0 })).toBe(true); // (!a) == true
    expect(ev('-x < 0', { x: 3 })).toBe(true);
  });

  it('reads literals, dotted paths and list membership', () => {
    expect(ev('user.country == "FR"', { user: { country: 'FR' } })).toBe(true);
    expect(ev("user.country in ['DE', 'FR']", { user: { country: 'FR' } })).toBe(true);
    expect(ev("user.country in ['DE', 'IT']", { user: { country: 'FR' } })).toBe(false);
    expect(ev('n in [1, m, 3]', { n: 7, m: 7 })).toBe(true);
    expect(ev('items.1 == "b"', { items: ['a', 'b'] })).toBe(true);
    expect(ev("'it\\'s' == s", { s: "it's" })).toBe(true);
    expect(ev('1.5e1 == 15')).toBe(true);
    expect(ev('missing.deep == null', { missing: 1 })).toBe(true);
    expect(ev('x in []', { x: 1 })).toBe(false);
  });

  it('compares strictly: no coercion, ordering only for two numbers or two strings', () => {
    expect(ev('n == "1"', { n: 1 })).toBe(false);
    expect(ev('n != "1"', { n: 1 })).toBe(true);
    expect(ev('"b" > "a"')).toBe(true);
    expect(ev('n > "0"', { n: 1 })).toBe(false);
    expect(ev('n < 5', {})).toBe(false); // missing is null, not 0
    expect(ev('n >= 2 && n <= 2', { n: 2 })).toBe(true);
  });

  it('treats protobuf int64 (Long) as numbers', () => {
    const Long = protobuf.util.Long as unknown as { fromNumber(n: number): object };
    const v = { id: Long.fromNumber(42), zero: Long.fromNumber(0) };
    expect(ev('id == 42', v)).toBe(true);
    expect(ev('id > 41 && id in [42, 43]', v)).toBe(true);
    expect(compileCondition('zero')(v)).toBe(false);
    expect(compileCondition('id')(v)).toBe(true);
  });

  it('has lower, upper, startsWith, endsWith, contains and len', () => {
    const v = { name: 'Alice', tags: ['a', 'b'], bytes: new Uint8Array(3) };
    expect(ev('lower(name) == "alice"', v)).toBe(true);
    expect(ev('upper(name)', v)).toBe('ALICE');
    expect(ev('startsWith(lower(name), "al") && endsWith(name, "ce") && contains(name, "lic")', v)).toBe(true);
    expect(ev('len(name) == 5 && len(tags) == 2 && len(bytes) == 3', v)).toBe(true);
    expect(ev('len(missing)', v)).toBe(null);
    expect(ev('lower(42)', v)).toBe(null);
  });

  it('reports errors with their position', () => {
    let e = errorOf('a == (b))');
    expect(e.column).toBe(9);
    expect(e.message).toBe(`unexpected ')' at column 9 in "a == (b))"`);
    e = errorOf('a ==');
    expect([e.reason, e.position]).toEqual(['unexpected end of expression', 4]);
    e = errorOf('a = 1');
    expect([e.position, e.reason]).toEqual([2, "unexpected '=' (compare with '==')"]);
    e = errorOf('1 < x < 3');
    expect(e.position).toBe(6);
    expect(e.reason).toMatch(/comparisons do not chain/);
    e = errorOf('x in [1, 2');
    expect(e.position).toBe(10);
    expect(e.reason).toBe("expected ',' but found end of expression");
    e = errorOf('nope(x)');
    expect([e.position, e.reason]).toEqual([0, 'unknown function \'nope\' (known: lower, upper, startsWith, endsWith, contains, len)']);
    e = errorOf('x && len(a, b)');
    expect([e.position, e.reason]).toEqual([5, 'len() takes 1 argument, got 2']);
    e = errorOf('"open');
    expect([e.position, e.reason]).toEqual([0, 'unterminated string']);
    e = errorOf('a.__proto__');
    expect(e.position).toBe(2);
    e = errorOf('a # b');
    expect([e.position, e.reason]).toEqual([2, "unexpected character '#'"]);
    e = errorOf('   ');
    expect(e.reason).toBe('empty expression');
    e = errorOf('!'.repeat(100) + 'x');
    expect(e.reason).toMatch(/nested deeper than 64/);
  });

  it('is data, not code: only built-in functions, no prototype access', () => {
    expect(errorOf('process.exit(1)').reason).toBe("unexpected '('");
    expect(errorOf('constructor').reason).toBe("field name 'constructor' is not allowed");
    expect(errorOf('globalThis()').reason).toMatch(/unknown function 'globalThis'/);
    expect(errorOf('toString(x)').reason).toMatch(/unknown function 'toString'/);
    expect(ev('hasOwnProperty == null', { hasOwnProperty: null })).toBe(true);
  });
});
