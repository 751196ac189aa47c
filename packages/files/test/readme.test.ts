import { join } from 'node:path';
import { Pipeline, WatermarkStrategies, collectionSource, silentLogger } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { bucketedFileSink, callbackPolicy, successFilePolicy } from '../src/index.js';
import { readTable, tempDir, walk } from './helpers.js';

describe('README example', () => {
  it('writes tables per stream, Berlin hours, announces data and empty partitions', async () => {
    const root = await tempDir();
    const log: string[] = [];
    const late: number[] = [];

    interface Event {
      stream: string;
      user: string;
      ts: number;
    }
    const events: Event[] = [
      { stream: 'orders', user: 'ann', ts: Date.UTC(2024, 4, 1, 9, 15) },
      { stream: 'clicks', user: 'bob', ts: Date.UTC(2024, 4, 1, 9, 40) },
      { stream: 'orders', user: 'bob', ts: Date.UTC(2024, 4, 1, 11, 5) },
    ];

    const pipeline = new Pipeline({ name: 'tables', checkpoints: { dir: join(root, 'checkpoints'), intervalMs: 10_000 }, logger: silentLogger });
    pipeline.source('events', collectionSource(events), { watermarks: WatermarkStrategies.forMonotonousTimestamps<Event>((e) => e.ts) }).sink(
      'tables',
      bucketedFileSink<Event>({
        storage: join(root, 'tables'),
        streamOf: (e) => e.stream,
        partitionPattern: 'dt=YYYY-MM-DD/hour=HH',
        timeZone: 'Europe/Berlin',
        merge: { targetBytes: 128 << 20 },
        readiness: {
          delayMs: 5 * 60_000,
          streams: ['refunds'],
          policies: [successFilePolicy(), callbackPolicy('log', (p) => void log.push(`${p.stream}/${p.partition}: ${p.recordsOut} records`))],
        },
        late: { mode: 'side-output', onLate: (records) => void late.push(records.length) },
      }),
    );
    const result = await pipeline.run();
    expect(result.outcome).toBe('finished');
    const table = await readTable<Event>(join(root, 'tables'));
    expect([...table.keys()].sort()).toEqual(['clicks/dt=2024-05-01/hour=11', 'orders/dt=2024-05-01/hour=11', 'orders/dt=2024-05-01/hour=13']);
    expect(log.filter((l) => l.startsWith('orders'))).toEqual(['orders/dt=2024-05-01/hour=11: 1 records', 'orders/dt=2024-05-01/hour=12: 0 records', 'orders/dt=2024-05-01/hour=13: 1 records']);
    expect(log.filter((l) => l.startsWith('refunds'))).toEqual(['refunds/dt=2024-05-01/hour=11: 0 records', 'refunds/dt=2024-05-01/hour=12: 0 records', 'refunds/dt=2024-05-01/hour=13: 0 records']);
    expect(late).toEqual([]);
    const { dirs } = await walk(join(root, 'tables'));
    expect(dirs).toContain('refunds/dt=2024-05-01/hour=13');
  });
});
