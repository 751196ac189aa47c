import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pipeline, generatorSource, heapStateBackend, memorySink, silentLogger, type CheckpointMetadata, type DeadLetter } from '@weir/core';
import { EtlConfigError, SchemaRegistry, broadcastRulesFile, encodeRecord, etlStep, loadRulesFile, parseEnvelope, watchRulesFile, type DecodedRecord } from '@weir/formats';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-etl-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Replace the file the way editors do (write a temp file, rename over). */
async function writeRules(path: string, config: unknown): Promise<void> {
  await writeFile(`${path}.tmp`, typeof config === 'string' ? config : JSON.stringify(config));
  await rename(`${path}.tmp`, path);
}

const V1 = { version: 1, streams: { orders: { filter: 'amount >= 0' } } };
const V2 = { version: 2, streams: { orders: { filter: 'amount >= 5', routeTo: 'orders-v2', rename: { amount: 'total' } } } };

describe('rules file loader', () => {
  it('proposes changed valid files, rejects invalid ones with a clear error (old rules stay), ignores unchanged ones', async () => {
    const dir = await tempDir();
    const file = join(dir, 'rules.json');
    await writeRules(file, V1);
    const p = new Pipeline({ name: 'etl-loader' });
    const rules = p.broadcast('etl', await loadRulesFile(file));
    const errors: Error[] = [];
    const w = watchRulesFile(file, rules, { intervalMs: 60_000, onError: (e) => errors.push(e) });
    try {
      expect(await w.reload()).toBe(false); // same content as the rules in effect
      expect(rules.hasPending()).toBe(false);

      await writeRules(file, '{ "streams": ');
      await expect(w.reload()).rejects.toThrow(`${file}: not valid JSON`);
      await writeRules(file, { streams: { orders: { filter: 'amount >' } } });
      await expect(w.reload()).rejects.toThrow(EtlConfigError);
      expect(w.lastError?.message).toBe(`${file}: invalid ETL rules: streams.orders.filter: unexpected end of expression at column 9 in "amount >"`);
      expect(errors.length).toBe(2);
      expect(rules.hasPending()).toBe(false);
      expect(rules.current().version).toBe(1);

      await writeRules(file, V2);
      await until(() => rules.hasPending()); // the change event (or a reload) proposes it
      expect(w.lastError).toBeUndefined();
      expect(rules.current().version).toBe(1); // staged, not in effect: no barrier yet

      // a deleted file is reported once and changes nothing; the same content again is not re-proposed
      const staged = errors.length;
      await rm(file);
      await expect(w.reload()).rejects.toThrow(`${file}: cannot read the rules: ENOENT`);
      await expect(w.reload()).rejects.toThrow(/ENOENT/);
      expect(errors.length).toBe(staged + 1);
      await writeRules(file, V2);
      expect(await w.reload()).toBe(false);
      expect(w.lastError).toBeUndefined();
      await expect(loadRulesFile(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      w.close();
    }
  });

  it('switches a running pipeline at a checkpoint barrier when the file changes; an invalid edit changes nothing', async () => {
    const dir = await tempDir();
    const schemas = join(dir, 'schemas');
    await writeRules(join(dir, 'rules.json'), V1);
    await (await import('node:fs/promises')).mkdir(schemas);
    await writeFile(join(schemas, 'order.proto'), 'syntax = "proto3"; package shop; message Order { int32 split = 1; int64 offset = 2; int32 amount = 3; }');
    await writeFile(join(schemas, 'streams.json'), JSON.stringify({ orders: 'shop.Order' }));
    const registry = await SchemaRegistry.open({ dir: schemas });
    const snapshot = registry.current();

    const checkpoints = join(dir, 'checkpoints');
    const out = memorySink<DecodedRecord>();
    const dead = memorySink<DeadLetter>();
    const errors: Error[] = [];
    let parsed = 0;
    const p = new Pipeline({ name: 'etl-reload', checkpoints: { dir: checkpoints, intervalMs: 50, keep: 10_000 }, stateBackend: heapStateBackend(), logger: silentLogger, pollTimeoutMs: 20 });
    const rules = await broadcastRulesFile(p, 'etl', join(dir, 'rules.json'), { intervalMs: 100, onError: (e) => errors.push(e) });
    p.source('raw', generatorSource({ splits: 2, batchSize: 25, ratePerSecond: 3000, generate: (split, offset) => encodeRecord(snapshot, 'orders', { split, offset, amount: offset % 10 }) }))
      .map('parse', parseEnvelope(registry))
      .map('count', (r) => (parsed++, r))
      .flatMap('etl', etlStep(rules))
      .sink('out', out);
    p.deadLetters().sink('dead', dead);
    const job = p.start();
    try {
      await until(() => parsed > 300);
      await writeRules(join(dir, 'rules.json'), V2);
      await until(() => rules.version() === 1);
      expect(rules.current().version).toBe(2);
      const switched = parsed;
      await writeRules(join(dir, 'rules.json'), { streams: { orders: { project: [] } } });
      await until(() => errors.length === 1);
      expect(errors[0]!.message).toMatch(/streams\.orders\.project: must be a non-empty list of field paths/);
      await until(() => parsed > switched + 300);
      expect(rules.version()).toBe(1); // the invalid file was never proposed
      expect(rules.hasPending()).toBe(false);
    } finally {
      await job.stop({ mode: 'drain' });
      registry.close();
    }

    const metas: CheckpointMetadata[] = [];
    for (const name of await readdir(checkpoints)) {
      if (/^chk-\d+$/.test(name)) metas.push(JSON.parse(await readFile(join(checkpoints, name, '_metadata.json'), 'utf8')) as CheckpointMetadata);
    }
    metas.sort((a, b) => a.id - b.id);
    const cut = metas.find((m) => m.broadcasts?.etl === 1)!;
    expect(metas.filter((m) => m.id < cut.id).every((m) => m.broadcasts?.etl === 0)).toBe(true);
    const positions = (cut.steps.raw!.operator as { splits: { index: number; offset: number }[] }).splits;
    expect(positions.length).toBe(2);
    expect(dead.committed).toEqual([]);

    for (const { index, offset: pos } of positions) {
      const mine = out.committed.filter((r) => r.value.split === index);
      const offsetOf = (r: DecodedRecord) => Number(r.value.offset);
      const before = mine.filter((r) => offsetOf(r) < pos);
      const after = mine.filter((r) => offsetOf(r) >= pos);
      // old rules up to the cut: every record, unchanged (a protobuf message, stream 'orders')
      expect(before.map(offsetOf)).toEqual(Array.from({ length: pos }, (_, i) => i));
      expect(before.every((r) => r.stream === 'orders' && r.value.amount === offsetOf(r) % 10 && r.value.total === undefined)).toBe(true);
      // new rules from the cut on: filtered, routed and renamed
      expect(after.length).toBeGreaterThan(10);
      expect(after.every((r) => r.stream === 'orders-v2' && r.value.total >= 5 && !('amount' in r.value))).toBe(true);
      const last = Math.max(...after.map(offsetOf));
      expect(after.length).toBe(Array.from({ length: last - pos + 1 }, (_, i) => (pos + i) % 10).filter((a) => a >= 5).length);
    }
  });
});
