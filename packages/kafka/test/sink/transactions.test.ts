import { startCluster } from '@weir/embedded-kafka';
import { describe, expect, it } from 'vitest';
import { ClusterProducer } from '../../src/sink/cluster-producer.js';
import { adapters, transportFor } from '../adapters.js';
import { endTxn, initProducerId } from '../../src/sink/transactions.js';
import { readTopic } from './helpers.js';

const messages = (tag: string) => Array.from({ length: 20 }, (_, i) => ({ topic: 'out', key: Buffer.from(`k${i}`), value: `${tag}-${i}` }));

describe.each(adapters)('transactions through the transport (%s)', (adapter) => {
  it('a transaction left open by another client is committed with its stored producer id/epoch; EndTxn is idempotent; a re-initialised id answers fenced', async () => {
    const cluster = await startCluster({ brokers: 3, topics: [{ name: 'out', partitions: 3 }] });
    const producer = new ClusterProducer({ transport: transportFor(adapter, cluster.bootstrapServers), transactionTimeoutMs: 60_000, requestTimeoutMs: 5_000, deliveryTimeoutMs: 5_000, maxBatchMessages: 1_000 });
    const other = transportFor(adapter, cluster.bootstrapServers);
    try {
      await producer.connect();
      const id = await producer.begin('weir-test-0', 5_000);
      await producer.send(messages('a'));
      await producer.flush();
      await producer.close(); // the writer is gone, the transaction stays open
      expect(await readTopic(cluster.bootstrapServers, 'out', { idleMs: 500, timeoutMs: 2_000 })).toEqual([]);

      await other.connect();
      expect(await endTxn(other, 'weir-test-0', id, true, 5_000)).toBe('ended');
      expect(await endTxn(other, 'weir-test-0', id, true, 5_000)).toBe('ended'); // idempotent
      expect((await readTopic(cluster.bootstrapServers, 'out', { expected: 20 })).map((r) => r.value).sort()).toEqual(messages('a').map((m) => m.value).sort());

      await initProducerId(other, 'weir-test-0', 60_000, 5_000);
      expect(await endTxn(other, 'weir-test-0', id, true, 5_000)).toBe('fenced');
    } finally {
      await other.close();
      await cluster.stop();
    }
  });

  it('InitProducerId before EndTxn aborts the open transaction: why the restore commits first', async () => {
    const cluster = await startCluster({ topics: [{ name: 'out', partitions: 3 }] });
    const producer = new ClusterProducer({ transport: transportFor(adapter, cluster.bootstrapServers), transactionTimeoutMs: 60_000, requestTimeoutMs: 5_000, deliveryTimeoutMs: 5_000, maxBatchMessages: 1_000 });
    const other = transportFor(adapter, cluster.bootstrapServers);
    try {
      await producer.connect();
      const id = await producer.begin('weir-test-1', 5_000);
      await producer.send(messages('b'));
      await producer.flush();
      await producer.close();
      await other.connect();
      await initProducerId(other, 'weir-test-1', 60_000, 5_000); // what a naive restart would do
      expect(await endTxn(other, 'weir-test-1', id, true, 5_000)).toBe('fenced');
      expect(await readTopic(cluster.bootstrapServers, 'out', { idleMs: 500, timeoutMs: 3_000 })).toEqual([]);
      expect((await readTopic(cluster.bootstrapServers, 'out', { readUncommitted: true, expected: 20 })).length).toBe(20);
    } finally {
      await other.close();
      await cluster.stop();
    }
  });

  it('a read_committed fetch skips aborted transactions and control records, and its next offset passes them', async () => {
    const cluster = await startCluster({ topics: [{ name: 'out', partitions: 1 }] });
    const producer = new ClusterProducer({ transport: transportFor(adapter, cluster.bootstrapServers), transactionTimeoutMs: 60_000, requestTimeoutMs: 5_000, deliveryTimeoutMs: 5_000, maxBatchMessages: 7 });
    const reader = transportFor(adapter, cluster.bootstrapServers);
    try {
      await producer.connect();
      const one = (tag: string) => Array.from({ length: 20 }, (_, i) => ({ topic: 'out', partition: 0, key: null, value: `${tag}-${i}` }));
      for (const [tag, commit] of [['aborted', false], ['committed', true], ['aborted-again', false], ['last', true]] as const) {
        const id = await producer.begin('weir-read-0', 5_000);
        await producer.send(one(tag));
        await producer.flush();
        await endTxn(producer.transport, 'weir-read-0', id, commit, 5_000);
      }
      const hw = cluster.highWatermarks('out')[0]!; // 80 records + 4 markers
      expect(hw).toBe(84);
      const seen: string[] = [];
      let offset = '0';
      for (let i = 0; i < 50 && BigInt(offset) < BigInt(hw); i++) {
        const leaders = await reader.leaders([{ topic: 'out', partition: 0 }], i === 0);
        const [node] = [...leaders.keys()];
        const [part] = await reader.fetch(node!, { partitions: [{ topic: 'out', partition: 0, offset }], maxWaitMs: 50, maxBytesPerPartition: 400 });
        for (const r of part!.records) seen.push(r.value!.toString());
        expect(BigInt(part!.nextOffset)).toBeGreaterThanOrEqual(BigInt(offset));
        offset = part!.nextOffset;
      }
      expect(offset).toBe(String(hw));
      expect(seen).toEqual([...one('committed'), ...one('last')].map((m) => m.value));
    } finally {
      await producer.close();
      await reader.close();
      await cluster.stop();
    }
  });
});
