/**
 * The connectors together, as the product promises: three source clusters, one down from the
 * start and one stopped mid-stream then restarted; the pipeline never fails, healthy clusters
 * keep flowing throughout, and after recovery a read_committed consumer of the exactly-once
 * sink sees every record of every cluster exactly once.
 */

import { Pipeline, WatermarkStrategies, silentLogger } from '@weir/core';
import { startCluster, startClusters } from '@weir/embedded-kafka';
import { expect, it } from 'vitest';
import { kafkaSink, kafkaSource, type KafkaRecord } from '../../src/index.js';
import { readTopic } from '../sink/helpers.js';
import { onCleanup, produce, producerFor, tempDir, until } from '../source/helpers.js';

const PARTITIONS = 2;

it('3 clusters (one down from the start, one stopped mid-stream) -> exactly-once sink: every record once, read_committed', async () => {
  const [a, b, c] = await startClusters(3, { topics: [{ name: 'events', partitions: PARTITIONS }] });
  const sinkCluster = await startCluster({ topics: [{ name: 'out', partitions: 3 }] });
  for (const cl of [a!, b!, c!, sinkCluster]) onCleanup(() => cl.stop());
  const produced: Record<string, number> = { a: 0, b: 0, c: 0 };
  const send = async (name: 'a' | 'b' | 'c', brokers: string[], n: number) => {
    const producer = await producerFor(brokers);
    await produce(producer, 'events', PARTITIONS, n, `${name}-${produced[name]}`);
    produced[name]! += n;
  };
  await send('a', a!.bootstrapServers, 400);
  await send('b', b!.bootstrapServers, 400);
  await send('c', c!.bootstrapServers, 400);
  await c!.stop(); // down from the start

  const p = new Pipeline({ name: 'outage-eos', checkpoints: { dir: await tempDir(), intervalMs: 300 }, logger: silentLogger, restart: { kind: 'none' } });
  p.source(
    'events',
    kafkaSource({
      clusters: [
        { name: 'a', brokers: a!.bootstrapServers, topics: ['events'] },
        { name: 'b', brokers: b!.bootstrapServers, topics: ['events'] },
        { name: 'c', brokers: c!.bootstrapServers, topics: ['events'] },
      ],
      reconnectBackoff: { initialMs: 100, maxMs: 500 },
      discoveryIntervalMs: 500,
    }),
    { watermarks: WatermarkStrategies.forBoundedOutOfOrderness<KafkaRecord>(1_000, (r) => r.timestamp).withIdleness(500) },
  )
    .map('tag', (r: KafkaRecord) => ({ key: `${r.cluster}/${r.partition}`, value: `${r.cluster}/${r.partition}@${r.offset}:${r.value?.toString()}` }))
    .sink(
      'out',
      kafkaSink<{ key: string; value: string }>({
        clusters: [{ brokers: sinkCluster.bootstrapServers }],
        topic: 'out',
        guarantee: 'exactly-once',
        transactionTimeoutMs: 60_000,
        expectedRestartMs: 10_000,
        serialize: (r) => ({ key: r.key, value: r.value }),
      }),
    );
  const job = p.start();
  let failed: unknown;
  job.done.catch((err) => (failed = err));
  const processed = () => job.status().steps.find((s) => s.step === 'tag')?.recordsOut ?? 0;

  await until(() => processed() >= 800, 20_000, 'a and b to flow while c is down');
  await b!.stop(); // mid-stream outage
  const before = processed();
  await send('a', a!.bootstrapServers, 300);
  await until(() => processed() >= before + 300, 20_000, 'a to keep flowing while b is down');
  expect(failed).toBeUndefined();

  await b!.start();
  await c!.start();
  await send('b', b!.bootstrapServers, 200);
  await send('c', c!.bootstrapServers, 200);
  const total = () => produced.a! + produced.b! + produced.c!;
  await until(() => processed() >= total(), 30_000, 'every cluster to be read after recovery');
  const result = await job.stop({ mode: 'drain' });
  expect(result.outcome).toBe('drained');
  expect(failed).toBeUndefined();

  const read = await readTopic(sinkCluster.bootstrapServers, 'out', { expected: total(), timeoutMs: 20_000 });
  const values = read.map((r) => r.value);
  expect(new Set(values).size).toBe(values.length); // nothing twice
  expect(values.length).toBe(total()); // nothing lost
  for (const name of ['a', 'b', 'c']) expect(values.filter((v) => v.startsWith(`${name}/`)).length).toBe(produced[name]);
}, 120_000);
