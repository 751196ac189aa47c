import { OptionsError, Pipeline, collectionSource, silentLogger } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { defaultTransport, deleteRepartitionTopics, kafkaExchange, kafkaJsTransport, kafkaSink, kafkaSource, parseClustersFile, type KafkaExchangeOptions, type KafkaSinkOptions, type KafkaSourceOptions } from '../src/index.js';

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
    expect(() => source({ startFrom: 'earliset' })).toThrow("startFrom: invalid value 'earliset'; expected 'earliest' | 'latest' (did you mean 'earliest'?)");
    expect(() => source({ newSplitsStartFrom: { comitted: 'g' } })).toThrow("newSplitsStartFrom: unknown key 'comitted' (did you mean 'committed'?)");
  });

  it("rejects boundedness: 'bounde' instead of running unbounded", () => {
    expect(() => source({ boundedness: 'bounde' })).toThrow("boundedness: invalid value 'bounde'; expected 'bounded' | 'unbounded' (did you mean 'bounded'?)");
  });

  it("rejects brokers: 'h:p' (a string) instead of retrying forever", () => {
    const make = () => source({ clusters: [{ name: 'a', brokers: 'h1:9092,h2:9092', topics: ['t'] }] });
    expect(make).toThrow(OptionsError);
    expect(make).toThrow("clusters[0].brokers: expected an array of 'host:port' strings, got the string 'h1:9092,h2:9092' (write ['h1:9092', 'h2:9092'])");
  });

  it('rejects malformed and empty broker lists', () => {
    const make = () => source({ clusters: [{ name: 'a', brokers: ['h', 'h:0', 'h:70000', 'h:9092'], topics: ['t'] }] });
    expect(make).toThrow("clusters[0].brokers[0]: 'h' is not 'host:port' (port 1..65535)");
    expect(make).toThrow("clusters[0].brokers[1]: 'h:0' is not 'host:port'");
    expect(make).toThrow("clusters[0].brokers[2]: 'h:70000' is not 'host:port'");
    expect(() => source({ clusters: [{ name: 'a', brokers: [], topics: ['t'] }] })).toThrow('clusters[0].brokers: must not be empty');
  });

  it('says which types a union accepts when a value has none of them', () => {
    const make = () => source({ clusters: [{ name: 'a', brokers: ['h:1'], topics: 'orders' }], startFrom: 5 });
    expect(make).toThrow("clusters[0].topics: expected an array or a RegExp, got 'orders'");
    expect(make).toThrow("startFrom: expected 'earliest' | 'latest' or an object, got 5");
  });

  it('rejects negative intervals, duplicate and unknown cluster keys', () => {
    expect(() => source({ discoveryIntervalMs: -1 })).toThrow('discoveryIntervalMs: must be >= 0, got -1');
    expect(() => source({ clusters: { file: 'c.json', reloadIntervalMs: 5 } })).toThrow("clusters: unknown key 'reloadIntervalMs': renamed to 'intervalMs'");
    const make = () => source({ clusters: [{ name: 'a', brokers: ['h:1'], topics: ['t'] }, { name: 'a', brokers: ['h:1'], topics: ['t'], topic: ['u'] }] });
    expect(make).toThrow("clusters[1]: unknown key 'topic' (did you mean 'topics'?)");
    expect(() => source({ clusters: [{ name: 'a', brokers: ['h:1'], topics: ['t'] }, { name: 'a', brokers: ['h:1'], topics: ['t'] }] })).toThrow("clusters[1].name: duplicate cluster name 'a'");
  });

  it('kafkaJsTransport rejects a misspelt isolation level instead of reading committed', () => {
    expect(() => kafkaJsTransport({ isolationLevel: 'read_uncomitted' } as never)).toThrow("did you mean 'read_uncommitted'?");
  });

  it('the source and the sink take the same transport option; the old clientFactory name points to it', () => {
    expect(() => source({ transport: kafkaJsTransport() })).not.toThrow();
    expect(() => sink({ transport: kafkaJsTransport() })).not.toThrow();
    expect(() => source({ clientFactory: kafkaJsTransport() })).toThrow("renamed to 'transport'");
    expect(() => sink({ transport: 'kafkajs' })).toThrow(OptionsError);
    expect(() => defaultTransport('kafka-js' as never)).toThrow("unknown transport adapter 'kafka-js'");
  });

  it('checks clusters files with the same schema', () => {
    expect(parseClustersFile(JSON.stringify({ clusters: [{ name: 'a', brokers: ['h:1'], topicPattern: '^o' }] }))[0]!.topics).toEqual(/^o/);
    expect(() => parseClustersFile(JSON.stringify({ clusters: [{ name: 'a', brokers: 'h:1', topics: ['t'] }] }))).toThrow(/\[0\]\.brokers: expected an array/);
  });
});

describe('kafkaSink options', () => {
  it("rejects guarantee: 'exactly_once' instead of downgrading to at-least-once", () => {
    expect(() => sink({ guarantee: 'exactly_once' })).toThrow(
      "guarantee: invalid value 'exactly_once'; expected 'at-least-once' | 'exactly-once' (did you mean 'exactly-once'?)",
    );
    expect(() => sink({ guarantee: 'EXACTLY-ONCE' })).toThrow("did you mean 'exactly-once'?");
    expect(() => sink({ mode: 'replicated' })).toThrow("did you mean 'replicate'?");
  });

  it('takes the same cluster connection shape as the source', () => {
    expect(() => sink({ clusters: [{ name: 'a', brokers: ['h:1'], clientId: 'c', ssl: true, sasl: { mechanism: 'plain' }, connectionTimeoutMs: 1, requestTimeoutMs: 2, weight: 2 }] })).not.toThrow();
    expect(() => sink({ clusters: [{ brokers: ['h:1'], kafka: { connectionTimeout: 5 } }] })).toThrow("clusters[0]: unknown key 'kafka': connection settings are flat now");
    expect(() => sink({ clusters: [{ brokers: 'h:1' }] })).toThrow("clusters[0].brokers: expected an array of 'host:port' strings");
    expect(() => sink({ clusters: [] })).toThrow('clusters: must not be empty');
  });

  it('has no checkpointIntervalMs: the sink learns it from the runtime', () => {
    expect(() => sink({ guarantee: 'exactly-once', checkpointIntervalMs: 1000 })).toThrow("unknown key 'checkpointIntervalMs': removed");
    expect(() => sink({ requestTimeoutMs: 1000 })).toThrow("unknown key 'requestTimeoutMs': renamed to 'produceTimeoutMs'");
  });

  it('rejects negative timeouts and too small pools', () => {
    const make = () => sink({ deliveryTimeoutMs: -1, transactionPoolSize: 1, breaker: { resetTimeoutMS: 5 } });
    expect(make).toThrow('deliveryTimeoutMs: must be >= 0, got -1');
    expect(make).toThrow('transactionPoolSize: must be >= 2, got 1');
    expect(make).toThrow("breaker: unknown key 'resetTimeoutMS' (did you mean 'resetTimeoutMs'?)");
    expect(() => sink({ mode: 'replicate', clusters: [{ name: 'a', brokers: ['h:1'] }, { name: 'b', brokers: ['h:2'] }] })).toThrow('spill: replicate mode needs spill.dir');
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

describe('kafkaExchange options', () => {
  const exchange = (o: Record<string, unknown>) => kafkaExchange({ cluster: { brokers: ['h:9092'] }, ...o } as KafkaExchangeOptions);

  it('accepts the documented shapes', () => {
    expect(() => exchange({ serde: { serialize: () => '', deserialize: () => 1 }, replicationFactor: 3, markerIntervalMs: 100, discoveryIntervalMs: 500, transactionTimeoutMs: 60_000, transport: defaultTransport() })).not.toThrow();
  });

  it('rejects misspelt and invalid options with the key named', () => {
    expect(() => exchange({ replicationfactor: 3 })).toThrow("unknown key 'replicationfactor' (did you mean 'replicationFactor'?)");
    expect(() => exchange({ cluster: { brokers: 'h:9092' } })).toThrow("cluster.brokers: expected an array of 'host:port' strings");
    expect(() => exchange({ cluster: { brokers: ['h:9092'], topics: ['t'] } })).toThrow("cluster: unknown key 'topics'");
    expect(() => exchange({ replicationFactor: 0 })).toThrow('replicationFactor: must be >= 1, got 0');
    expect(() => exchange({ serde: { serialize: () => '' } })).toThrow('serde:');
    expect(() => exchange({ markerIntervalMs: -5 })).toThrow('markerIntervalMs: must be >= 0, got -5');
  });

  it('deleteRepartitionTopics rejects a misspelt option before connecting', async () => {
    await expect(deleteRepartitionTopics({ connection: { brokers: ['127.0.0.1:1'] }, jobName: 'j', step: ['s'] } as never)).rejects.toThrow("unknown key 'step' (did you mean 'steps'?)");
  });
});
