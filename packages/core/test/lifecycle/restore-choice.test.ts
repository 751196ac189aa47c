import { describe, expect, it } from 'vitest';
import type { CompletedCheckpoint } from '@weir/core';
import { chooseRestore, RestoreRefusedError } from '../../src/checkpoint/restore-choice.js';

const point = (id: number, kind: 'checkpoint' | 'savepoint', path: string, extra: { drained?: boolean; createdAtMs?: number } = {}): CompletedCheckpoint => ({
  path,
  sizeBytes: 0,
  metadata: { formatVersion: 2, id, kind, jobName: 'j', createdAtMs: extra.createdAtMs ?? id * 1000, steps: {}, ...(extra.drained ? { drained: true } : {}) },
});

const chk5 = point(5, 'checkpoint', '/store/chk-5');
const sp7 = point(7, 'savepoint', '/store/savepoints/sp-7');
const oldSp3 = point(3, 'savepoint', '/store/savepoints/sp-3');
const foreignSp12 = point(12, 'savepoint', '/other-job/savepoints/sp-12');
const drained9 = point(9, 'checkpoint', '/store/chk-9', { drained: true });

describe('restore choice', () => {
  const table: Array<{ name: string; storage: CompletedCheckpoint | undefined; configured: 'latest' | 'none' | CompletedCheckpoint; expected: CompletedCheckpoint | undefined }> = [
    { name: 'fresh storage, nothing configured: start fresh', storage: undefined, configured: 'latest', expected: undefined },
    { name: "fresh storage, 'none': start fresh", storage: undefined, configured: 'none', expected: undefined },
    { name: 'newer checkpoint in storage wins', storage: chk5, configured: 'latest', expected: chk5 },
    { name: "storage wins over 'none' too (a supervisor restart must never start over)", storage: chk5, configured: 'none', expected: chk5 },
    { name: 'a savepoint newer than every checkpoint wins (suspend, then restart)', storage: sp7, configured: 'latest', expected: sp7 },
    { name: 'an older savepoint left in restoreFrom loses to newer storage', storage: sp7, configured: oldSp3, expected: sp7 },
    { name: 'a configured savepoint seeds fresh storage', storage: undefined, configured: foreignSp12, expected: foreignSp12 },
    { name: 'a configured savepoint wins over an older storage point', storage: chk5, configured: foreignSp12, expected: foreignSp12 },
    { name: 'the configured point itself in storage', storage: sp7, configured: sp7, expected: sp7 },
  ];
  for (const row of table) {
    it(row.name, () => {
      const choice = chooseRestore({ storageNewest: row.storage, configured: row.configured, allowRestoreAfterDrain: false });
      expect(choice.checkpoint).toBe(row.expected);
      expect(choice.reason.length).toBeGreaterThan(0);
    });
  }

  it('same id elsewhere: the later one wins', () => {
    const a = point(4, 'savepoint', '/a/sp-4', { createdAtMs: 100 });
    const b = point(4, 'checkpoint', '/b/chk-4', { createdAtMs: 200 });
    expect(chooseRestore({ storageNewest: b, configured: a, allowRestoreAfterDrain: false }).checkpoint).toBe(b);
  });

  it('refuses a drained checkpoint, saying why and how to start fresh', () => {
    expect(() => chooseRestore({ storageNewest: drained9, configured: 'latest', allowRestoreAfterDrain: false })).toThrow(RestoreRefusedError);
    expect(() => chooseRestore({ storageNewest: drained9, configured: oldSp3, allowRestoreAfterDrain: false })).toThrow(/final checkpoint of a drain.*new, empty checkpoint directory.*allowRestoreAfterDrain/);
  });

  it('restores a drained checkpoint only when explicitly allowed', () => {
    expect(chooseRestore({ storageNewest: drained9, configured: 'latest', allowRestoreAfterDrain: true }).checkpoint).toBe(drained9);
  });
});
