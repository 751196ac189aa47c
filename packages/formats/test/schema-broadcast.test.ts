import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Pipeline, generatorSource, heapStateBackend, memorySink, silentLogger, type CheckpointMetadata } from '@weir/core';
import { SchemaRegistry, broadcastSchemas, encodeRecord, parseEnvelope, type DecodedRecord } from '@weir/formats';

const dirs: string[] = [];
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

it('a schema reload switches every split to the new snapshot at the same checkpoint barrier', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-schema-bc-'));
  dirs.push(dir);
  const schemas = join(dir, 'schemas');
  await mkdir(schemas);
  await writeFile(join(schemas, 'e.proto'), 'syntax = "proto3"; package t; message E { int32 split = 1; int64 offset = 2; }');
  await writeFile(join(schemas, 'streams.json'), JSON.stringify({ e: 't.E' }));
  const registry = await SchemaRegistry.open({ dir: schemas });
  const v1 = registry.current();
  const out = memorySink<DecodedRecord>();
  const checkpoints = join(dir, 'checkpoints');
  let parsed = 0;
  const p = new Pipeline({ name: 'schema-bc', checkpoints: { dir: checkpoints, intervalMs: 50, keep: 10_000 }, stateBackend: heapStateBackend(), logger: silentLogger, pollTimeoutMs: 20 });
  const snapshots = broadcastSchemas(p, 'schemas', registry);
  p.source('raw', generatorSource({ splits: 2, batchSize: 25, ratePerSecond: 3000, generate: (split, offset) => encodeRecord(v1, 'e', { split, offset }) }))
    .map('parse', parseEnvelope(() => snapshots.current()))
    .map('count', (r) => (parsed++, r))
    .sink('out', out);
  const job = p.start();
  try {
    await until(() => parsed > 300);
    await writeFile(join(schemas, 'e.proto'), 'syntax = "proto3"; package t; message E { int32 split = 1; int64 offset = 2; string note = 3; }');
    const { snapshot: v2 } = await registry.reload();
    expect(snapshots.current().version).toBe(v1.version); // proposed, not switched yet
    await until(() => snapshots.version() === 1);
    expect(snapshots.current().version).toBe(v2.version);
    const switched = parsed;
    await until(() => parsed > switched + 300);
  } finally {
    await job.stop({ mode: 'drain' });
    registry.close();
  }
  const metas: CheckpointMetadata[] = [];
  for (const name of await readdir(checkpoints)) {
    if (/^chk-\d+$/.test(name)) metas.push(JSON.parse(await readFile(join(checkpoints, name, '_metadata.json'), 'utf8')) as CheckpointMetadata);
  }
  metas.sort((a, b) => a.id - b.id);
  const cut = metas.find((m) => m.broadcasts?.schemas === 1)!;
  const positions = (cut.steps.raw!.operator as { splits: { index: number; offset: number }[] }).splits;
  expect(positions.length).toBe(2);
  for (const { index, offset: pos } of positions) {
    const mine = out.committed.filter((r) => r.value.split === index);
    const before = mine.filter((r) => Number(r.value.offset) < pos);
    const after = mine.filter((r) => Number(r.value.offset) >= pos);
    expect(before.length).toBe(pos);
    expect(after.length).toBeGreaterThan(10);
    // both splits change schema version exactly at the checkpoint's source positions
    expect(before.every((r) => r.schemaVersion === v1.version)).toBe(true);
    expect(after.every((r) => r.schemaVersion === v1.version + 1)).toBe(true);
  }
});
