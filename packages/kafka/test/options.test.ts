import { OptionsError, Pipeline, collectionSource, silentLogger } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { kafkaJsClientFactory, kafkaSink, kafkaSource, parseClustersFile, type KafkaSinkOptions, type KafkaSourceOptions } from '../src/index.js';

function problemOf(make: () => unknown): string {
  try {
    make();
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    return (err as OptionsError).message;
  }
  throw new Error('expected an OptionsError');
}

// options as they arrive from plain JS or the environment: unchecked by tsc
const source = (o: Record<string, unknown>) => kafkaSource({ clusters: [{ name: 'a', brokers: ['h:9092'], topics: ['t'] }], ...o } as KafkaSourceOptions);
const sink = (o: Record<string, unknown>) => kafkaSink({ clusters: [{ brokers: ['h:9092'] }], topic: 't', serialize: () => ({ value: '' }), ...o } as KafkaSinkOptions<unknown>);

describe('kafkaSource options', () => {
  it('accepts the documented shapes', () => {
    expect(() =>
      source({
        clusters: [
          { name: 'a', brokers: ['h:9092', '[::1]:9093'], topics: /^orders/, clientId: 'x', ssl: true, connectionTimeoutMs: 500, requestTimeoutMs: 1000, startFrom: { committed: 'g', fallback: 'latest' } },
          { name: 'b', brokers: ['10.0.0.1:9092'], topics: ['t'], startFromByTopic: { t: { offsets: { 0: '5', 1: 7 } } } },
        ],
        boundedness: 'bounded',
        startFrom: { timestamp: 0 },
        reconnectBackoff: { initialMs: 1, maxMs: 2 },
      }),
    ).not.toThrow();
    expect(() => source({ clusters: { file: '/tmp/clusters.json', intervalMs: 1000 } })).not.toThrow();
    expect(() => source({ clusters: { provider: () => [], intervalMs: 1000 } })).not.toThrow();
  });

  it("rejects startFrom: 'earliset' instead of reading from latest", () => {
    expect(problemOf(() => source({ startFrom: 'earliset' }))).toContain("startFrom: invalid value 'earliset'; expected 'earliest' | 'latest' (did you mean 'earliest'?)");
    expect(problemOf(() => source({ newSplitsStartFrom: { comitted: 'g' } }))).toContain("newSplitsStartFrom: unknown key 'comitted' (did you mean 'committed'?)");
  });

  it("rejects boundedness: 'bounde' instead of running unbounded", () => {
    expect(problemOf(() => source({ boundedness: 'bounde' }))).toContain("boundedness: invalid value 'bounde'; expected 'bounded' | 'unbounded' (did you mean 'bounded'?)");
  });

  it("rejects brokers: 'h:p' (a string) instead of retrying forever", () => {
    const msg = problemOf(() => source({ clusters: [{ name: 'a', brokers: 'h1:9092,h2:9092', topics: ['t'] }] }));
    expect(msg).toContain("clusters[0].brokers: expected an array of 'host:port' strings, got the string 'h1:9092,h2:9092' (write ['h1:9092', 'h2:9092'])");
  });

  it('rejects malformed and empty broker lists', () => {
    const msg = problemOf(() => source({ clusters: [{ name: 'a', brokers: ['h', 'h:0', 'h:70000', 'h:9092'], topics: ['t'] }] }));
    expect(msg).toContain("clusters[0].brokers[0]: 'h' is not 'host:port' (port 1..65535)");
    expect(msg).toContain("clusters[0].brokers[1]: 'h:0' is not 'host:port'");
    expect(msg).toContain("clusters[0].brokers[2]: 'h:70000' is not 'host:port'");
    expect(problemOf(() => source({ clusters: [{ name: 'a', brokers: [], topics: ['t'] }] }))).toContain('clusters[0].brokers: must not be empty');
  });

  it('rejects negative intervals, duplicate and unknown cluster keys', () => {
    expect(problemOf(() => source({ discoveryIntervalMs: -1 }))).toContain('discoveryIntervalMs: must be >= 0, got -1');
    expect(problemOf(() => source({ clusters: { file: 'c.json', reloadIntervalMs: 5 } }))).toContain("clusters: unknown key 'reloadIntervalMs': renamed to 'intervalMs'");
    const dup = problemOf(() => source({ clusters: [{ name: 'a', brokers: ['h:1'], topics: ['t'] }, { name: 'a', brokers: ['h:1'], topics: ['t'], topic: ['u'] }] }));
    expect(dup).toContain("clusters[1]: unknown key 'topic' (did you mean 'topics'?)");
    expect(problemOf(() => source({ clusters: [{ name: 'a', brokers: ['h:1'], topics: ['t'] }, { name: 'a', brokers: ['h:1'], topics: ['t'] }] }))).toContain("clusters[1].name: duplicate cluster name 'a'");
  });

  it('kafkaJsClientFactory rejects a misspelt isolation level instead of reading committed', () => {
    expect(problemOf(() => kafkaJsClientFactory({ isolationLevel: 'read_uncomitted' } as never))).toContain("did you mean 'read_uncommitted'?");
  });

  it('checks clusters files with the same schema', () => {
    expect(parseClustersFile(JSON.stringify({ clusters: [{ name: 'a', brokers: ['h:1'], topicPattern: '^o' }] }))[0]!.topics).toEqual(/^o/);
    expect(() => parseClustersFile(JSON.stringify({ clusters: [{ name: 'a', brokers: 'h:1', topics: ['t'] }] }))).toThrow(/\[0\]\.brokers: expected an array/);
  });
});

describe('kafkaSink options', () => {
  it("rejects guarantee: 'exactly_once' instead of downgrading to at-least-once", () => {
    expect(problemOf(() => sink({ guarantee: 'exactly_once' }))).toContain(
      "guarantee: invalid value 'exactly_once'; expected 'at-least-once' | 'exactly-once' (did you mean 'exactly-once'?)",
    );
    expect(problemOf(() => sink({ guarantee: 'EXACTLY-ONCE' }))).toContain("did you mean 'exactly-once'?");
    expect(problemOf(() => sink({ mode: 'replicated' }))).toContain("did you mean 'replicate'?");
  });

  it('takes the same cluster connection shape as the source', () => {
    expect(() => sink({ clusters: [{ name: 'a', brokers: ['h:1'], clientId: 'c', ssl: true, sasl: { mechanism: 'plain' }, connectionTimeoutMs: 1, requestTimeoutMs: 2, weight: 2 }] })).not.toThrow();
    expect(problemOf(() => sink({ clusters: [{ brokers: ['h:1'], kafka: { connectionTimeout: 5 } }] }))).toContain("clusters[0]: unknown key 'kafka': connection settings are flat now");
    expect(problemOf(() => sink({ clusters: [{ brokers: 'h:1' }] }))).toContain("clusters[0].brokers: expected an array of 'host:port' strings");
    expect(problemOf(() => sink({ clusters: [] }))).toContain('clusters: must not be empty');
  });

  it('has no checkpointIntervalMs: the sink learns it from the runtime', () => {
    expect(problemOf(() => sink({ guarantee: 'exactly-once', checkpointIntervalMs: 1000 }))).toContain("unknown key 'checkpointIntervalMs': removed");
    expect(problemOf(() => sink({ requestTimeoutMs: 1000 }))).toContain("unknown key 'requestTimeoutMs': renamed to 'produceTimeoutMs'");
  });

  it('rejects negative timeouts and too small pools', () => {
    const msg = problemOf(() => sink({ deliveryTimeoutMs: -1, transactionPoolSize: 1, breaker: { resetTimeoutMS: 5 } }));
    expect(msg).toContain('deliveryTimeoutMs: must be >= 0, got -1');
    expect(msg).toContain('transactionPoolSize: must be >= 2, got 1');
    expect(msg).toContain("breaker: unknown key 'resetTimeoutMS' (did you mean 'resetTimeoutMs'?)");
    expect(problemOf(() => sink({ mode: 'replicate', clusters: [{ name: 'a', brokers: ['h:1'] }, { name: 'b', brokers: ['h:2'] }] }))).toContain('spill: replicate mode needs spill.dir');
  });

  it("exactly-once checks transactionTimeoutMs against the pipeline's checkpoint interval when the job starts", async () => {
    const p = new Pipeline({ name: 'eos-timeout', logger: silentLogger, checkpoints: { intervalMs: 60_000 }, restart: { kind: 'fixed-delay', maxAttempts: 3, delayMs: 1 } });
    p.source('n', collectionSource([1])).sink('out', sink({ clusters: [{ brokers: ['127.0.0.1:1'] }], guarantee: 'exactly-once', expectedRestartMs: 30_000, transactionTimeoutMs: 60_000 }));
    const err = await p.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OptionsError);
    expect(String((err as Error).message)).toContain("transactionTimeoutMs: 60000 must be at least the pipeline's checkpoint interval (60000) + expectedRestartMs (30000)");
  });
});
