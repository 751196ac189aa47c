import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { compileRules, EtlConfigError, type DecodedRecord } from '@weir/formats';

interface Rec {
  stream: string;
  value: Record<string, any>;
  position?: number;
}

const order = (value: Record<string, any>, stream = 'orders'): Rec => ({ stream, value, position: 7 });

function problemsOf(config: unknown): readonly string[] {
  try {
    compileRules(config);
  } catch (err) {
    expect(err).toBeInstanceOf(EtlConfigError);
    return (err as EtlConfigError).problems;
  }
  throw new Error('config accepted');
}

describe('ETL rules', () => {
  it('passes streams without rules through untouched (same object)', () => {
    const rules = compileRules({ streams: { other: { drop: true } } });
    const r = order({ a: 1 });
    expect(rules.apply(r)).toBe(r);
  });

  it('drops a whole stream', () => {
    const rules = compileRules({ streams: { orders: { drop: true } } });
    expect(rules.apply(order({ a: 1 }))).toBeNull();
    expect(rules.apply(order({ a: 1 }, 'payments'))).not.toBeNull();
  });

  it('filters by expression', () => {
    const rules = compileRules({ streams: { orders: { filter: "amount >= 10 && lower(user.country) in ['fr', 'de']" } } });
    const kept = order({ amount: 10, user: { country: 'FR' } });
    expect(rules.apply(kept)).toBe(kept);
    expect(rules.apply(order({ amount: 9, user: { country: 'FR' } }))).toBeNull();
    expect(rules.apply(order({ amount: 50, user: { country: 'IT' } }))).toBeNull();
    expect(rules.apply(order({ amount: 50 }))).toBeNull(); // missing field
  });

  it('routes to a fixed stream or to the first matching case, keeping the other record fields', () => {
    const fixed = compileRules({ streams: { orders: { routeTo: 'orders-v2' } } });
    expect(fixed.apply(order({ a: 1 }))).toEqual({ stream: 'orders-v2', value: { a: 1 }, position: 7 });
    const cases = compileRules({
      streams: {
        orders: {
          routeTo: [
            { when: 'amount > 1000', stream: 'big-orders' },
            { when: 'startsWith(sku, "T-")', stream: 'test-orders' },
          ],
        },
      },
    });
    expect(cases.apply(order({ amount: 5000, sku: 'T-1' }))?.stream).toBe('big-orders'); // first match wins
    expect(cases.apply(order({ amount: 5, sku: 'T-1' }))?.stream).toBe('test-orders');
    const none = order({ amount: 5, sku: 'X' });
    expect(cases.apply(none)).toBe(none);
  });

  it('projects dotted paths into a fresh object', () => {
    const rules = compileRules({ streams: { orders: { project: ['id', 'user.country', 'missing', 'items.0'] } } });
    const input = { id: 1, secret: 's', user: { country: 'FR', email: 'x@y' }, items: ['a', 'b'] };
    const out = rules.apply(order(input))!;
    expect(out.value).toEqual({ id: 1, user: { country: 'FR' }, items: { 0: 'a' } });
    expect(input.user.email).toBe('x@y'); // input untouched
  });

  it('renames (dotted, all at once, after projection) without mutating the input', () => {
    const swap = compileRules({ streams: { orders: { rename: { a: 'b', b: 'a', 'user.name': 'customer.fullName' } } } });
    const input = { a: 1, b: 2, user: { name: 'Ann', id: 3 }, keep: true };
    const out = swap.apply(order(input))!;
    expect(out.value).toEqual({ a: 2, b: 1, user: { id: 3 }, customer: { fullName: 'Ann' }, keep: true });
    expect(input).toEqual({ a: 1, b: 2, user: { name: 'Ann', id: 3 }, keep: true });
    expect(swap.apply(order({ other: 1 }))!.value).toEqual({ other: 1 }); // nothing to move
    const both = compileRules({ streams: { orders: { project: ['user.name', 'id'], rename: { 'user.name': 'name' } } } });
    expect(both.apply(order(input))!.value).toEqual({ name: 'Ann', user: {} });
  });

  it('reshapes protobuf messages: defaults are read, the message is not mutated', () => {
    const root = protobuf.parse('syntax = "proto3"; message Order { string sku = 1; int64 qty = 2; string note = 3; }').root;
    const Order = root.lookupType('Order');
    const msg = Order.decode(Order.encode(Order.fromObject({ sku: 'A', note: '' })).finish()) as unknown as Record<string, any>;
    const record: DecodedRecord = { stream: 'orders', messageType: 'Order', value: msg, schemaVersion: 1, writerSchemaVersion: 1 };
    const rules = compileRules({ streams: { orders: { filter: 'qty == 0', rename: { sku: 'code' } } } });
    const out = rules.apply(record)!;
    expect(out.messageType).toBe('Order');
    expect(Object.keys(out.value).sort()).toEqual(['code', 'note', 'qty']);
    expect(out.value.code).toBe('A');
    expect(msg.sku).toBe('A');
  });

  it('rejects invalid configurations with every problem and its path', () => {
    expect(problemsOf([])).toEqual(['the configuration must be a JSON object']);
    expect(problemsOf({ stream: {} })).toEqual(["stream: unknown key (expected 'version' or 'streams')", 'streams: must be an object of stream name -> rules']);
    const problems = problemsOf({
      version: 3,
      streams: {
        orders: { fitler: 'a', filter: 'a ==', project: ['a', 'a.b', 'x..y'], rename: { c: 'd', e: 'd' } },
        pay: { routeTo: [{ when: 'x >', stream: 'p' }, { stream: 'q' }], drop: 'yes' },
      },
    });
    expect(problems).toEqual([
      'streams.orders.fitler: unknown rule (expected one of drop, filter, routeTo, project, rename)',
      "streams.orders.project[2]: 'x..y' is not a field path (segments are identifiers or indexes, joined by '.')",
      "streams.orders.project: 'a.b' is inside 'a' (list one of them)",
      "streams.orders.rename.e: two fields renamed to 'd'",
      'streams.pay.drop: must be true or false',
      'streams.pay.routeTo[1]: must be { "when": expression, "stream": name }',
    ]);
    // expressions are checked once the shape is valid
    expect(problemsOf({ streams: { orders: { filter: 'a ==' }, pay: { routeTo: [{ when: 'x > (1', stream: 'p' }] } } })).toEqual([
      'streams.orders.filter: unexpected end of expression at column 5 in "a =="',
      `streams.pay.routeTo[0].when: expected ')' but found end of expression at column 7 in "x > (1"`,
    ]);
  });

  it('compiles expressions once per configuration, not per record', () => {
    const rules = compileRules({ version: 'v7', streams: { orders: { filter: 'n > 1' } } });
    expect(rules.version).toBe('v7');
    expect(rules.fingerprint).toBe(JSON.stringify({ version: 'v7', streams: { orders: { filter: 'n > 1' } } }));
    const t0 = performance.now();
    let kept = 0;
    for (let i = 0; i < 200_000; i++) if (rules.apply({ stream: 'orders', value: { n: i % 3 } }) !== null) kept++;
    const ms = performance.now() - t0;
    expect(kept).toBe(66_666);
    expect(ms).toBeLessThan(2000); // ~20 ms when compiled; parsing per record would be far slower
    console.log(`etl filter: ${Math.round(200_000 / (ms / 1000)).toLocaleString('en')} records/s`);
  });
});
