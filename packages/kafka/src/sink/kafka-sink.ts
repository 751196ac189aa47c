/**
 * `kafkaSink`: a two-phase-commit sink to one or several Kafka clusters, at-least-once or
 * exactly-once (see the package README, "Sink").
 */

import { join } from 'node:path';
import { OptionsError, validateOptions, type Sink, type SinkCommitter, type SinkContext, type SinkWriter } from '@weir/core';
import { AtLeastOnceWriter } from './at-least-once-writer.js';
import { ClusterLane } from './cluster-lane.js';
import { ClusterProducer, type ClusterProducerOptions } from './cluster-producer.js';
import { ExactlyOnceWriter, TransactionRegistry, transactionalId } from './exactly-once-writer.js';
import { defaultTransport } from '../transport/default.js';
import type { KafkaTransport, KafkaTransportFactory } from '../transport/types.js';
import { registerSinkGauges } from './metrics.js';
import { partitionChooser } from './records.js';
import { Spill } from './spill.js';
import { kafkaSinkOptionsSchema } from './options-schema.js';
import { endTxn, initProducerId } from './transactions.js';
import type { KafkaClusterStats, KafkaSinkOptions, KafkaTransactionCommittable } from './types.js';

/** The sink, with live per-cluster figures of its writers in this process. */
export interface KafkaSink<T> extends Sink<T, KafkaTransactionCommittable, null> {
  /** Per cluster: breaker state, unacknowledged records, spill depth (replicate mode), acknowledged count. */
  stats(): KafkaClusterStats[];
}

interface Resolved<T> extends KafkaSinkOptions<T> {
  names: string[];
  guarantee: 'at-least-once' | 'exactly-once';
  mode: 'failover' | 'balance' | 'replicate';
  poolSize: number;
  transactionTimeoutMs: number;
  maxBatchRecords: number;
  maxBufferedRecords: number;
  produceTimeoutMs: number;
  deliveryTimeoutMs: number;
  transportFactory: KafkaTransportFactory;
}

/**
 * Create a Kafka sink. Throws an `OptionsError` at once on unknown keys, misspelt values and
 * inconsistent options; an exactly-once `transactionTimeoutMs` shorter than the pipeline's
 * checkpoint interval + `expectedRestartMs` fails the job when it starts (the broker would abort
 * prepared transactions before a restarted job could commit them).
 */
export function kafkaSink<T>(options: KafkaSinkOptions<T>): KafkaSink<T> {
  const o = resolve(options);
  const registries = new Map<string, TransactionRegistry>();
  const live = new Map<string, { step: string; subtask: number; stats: () => KafkaClusterStats[] }>();
  if (o.metricsRegistry !== undefined) registerSinkGauges(o.metricsRegistry, live);
  const keyOf = (ctx: SinkContext) => `${ctx.stepName}\u0000${ctx.subtask}`;
  const prefixOf = (ctx: SinkContext) => o.transactionalIdPrefix ?? ctx.stepName;

  return {
    async createWriter(ctx): Promise<SinkWriter<T, KafkaTransactionCommittable>> {
      if (o.guarantee === 'exactly-once') {
        const targets = o.clusters.map((c, i) => ({ name: o.names[i]!, weight: c.weight ?? 1, producer: new ClusterProducer(producerOptions(o, i)) }));
        await Promise.all(targets.map((t) => t.producer.connect()));
        let registry = registries.get(keyOf(ctx));
        if (registry === undefined) registries.set(keyOf(ctx), (registry = new TransactionRegistry()));
        live.set(keyOf(ctx), {
          step: ctx.stepName,
          subtask: ctx.subtask,
          stats: () => targets.map((t) => ({ name: t.name, state: 'closed', pending: t.producer.pending, spillDepth: 0, acknowledged: 0, failures: 0 })),
        });
        return new ExactlyOnceWriter(
          { serialize: o.serialize, topic: o.topic, prefix: prefixOf(ctx), poolSize: o.poolSize, maxBufferedRecords: o.maxBufferedRecords, deliveryTimeoutMs: o.deliveryTimeoutMs },
          o.mode,
          targets,
          registry,
          ctx,
        );
      }
      const spills =
        o.mode === 'replicate'
          ? await Promise.all(o.names.map((n) => Spill.open(join(o.spill!.dir, `${sanitize(ctx.stepName)}-${ctx.subtask}`, sanitize(n)))))
          : undefined;
      // the writer and its lanes call each other: lanes are created with late-bound callbacks
      const ref: { writer?: AtLeastOnceWriter<T> } = {};
      const lanes = o.clusters.map(
        (_, i) =>
          new ClusterLane({
            name: o.names[i]!,
            producer: producerOptions(o, i),
            // one cluster outside replicate mode has nowhere else to go: keep retrying (sequences de-duplicate)
            failureThreshold: o.breaker?.failureThreshold ?? (o.clusters.length === 1 ? Number.POSITIVE_INFINITY : 10),
            resetTimeoutMs: o.breaker?.resetTimeoutMs ?? 1_000,
            maxBufferedRecords: o.maxBufferedRecords,
            logger: ctx.logger,
            spill: spills?.[i],
            onReturn: (m) => ref.writer?.reroute(m),
            onAvailable: () => ref.writer?.retryParked(),
            onFatal: (err) => ref.writer?.fail(err),
          }),
      );
      const writer = new AtLeastOnceWriter(
        { serialize: o.serialize, topic: o.topic, maxBufferedRecords: o.maxBufferedRecords, maxSpillRecords: o.spill?.maxRecords ?? 1_000_000, spillAfterMs: o.spill?.afterMs ?? 500 },
        o.mode,
        lanes.map((lane, i) => ({ lane, weight: o.clusters[i]!.weight ?? 1 })),
      );
      ref.writer = writer;
      await Promise.all(lanes.map((l) => l.start()));
      live.set(keyOf(ctx), { step: ctx.stepName, subtask: ctx.subtask, stats: () => lanes.map((l) => l.stats()) });
      return writer as SinkWriter<T, KafkaTransactionCommittable>;
    },

    async createCommitter(ctx): Promise<SinkCommitter<KafkaTransactionCommittable>> {
      if (o.guarantee !== 'exactly-once') return { commit: async () => undefined };
      // the runtime creates the committer first: a configuration mistake fails before any connection
      checkTransactionTimeout(o, ctx);
      // a fresh registry per attempt: the writer of this attempt registers what it prepares
      const registry = new TransactionRegistry();
      registries.set(keyOf(ctx), registry);
      const clusters = new Map<string, KafkaTransport>();
      const clusterNamed = (name: string): KafkaTransport => {
        let c = clusters.get(name);
        if (c === undefined) {
          const i = o.names.indexOf(name);
          if (i < 0) throw new Error(`kafka sink: a committable names cluster '${name}', which is not among the sink's clusters (${o.names.join(', ')})`);
          clusters.set(name, (c = transportFor(o, i)));
        }
        return c;
      };
      return {
        async commit(checkpointId, committables) {
          for (const c of [...committables].sort((a, b) => a.checkpointId - b.checkpointId)) {
            const cluster = clusterNamed(c.cluster);
            const outcome = await endTxn(cluster, c.transactionalId, c, true, o.deliveryTimeoutMs);
            if (outcome === 'fenced') {
              ctx.logger.warn(
                { checkpoint: checkpointId, cluster: c.cluster, transactionalId: c.transactionalId, producerId: c.producerId, epoch: c.producerEpoch },
                'kafka sink: transaction already completed (its id was re-initialised since); if it had timed out instead, its records are lost',
              );
            }
            registry.ended(c);
          }
        },
        async close() {
          await Promise.all([...clusters.values()].map((c) => c.close().catch(() => undefined)));
        },
      };
    },

    async abortLeftovers(ctx) {
      if (o.guarantee !== 'exactly-once') return;
      // InitProducerId on every id of this subtask's pool fences zombies and aborts their open transactions
      await Promise.all(
        o.clusters.map(async (_, i) => {
          const cluster = transportFor(o, i);
          try {
            for (let slot = 0; slot < o.poolSize; slot++) {
              await initProducerId(cluster, transactionalId(prefixOf(ctx), ctx.subtask, slot), o.transactionTimeoutMs, o.deliveryTimeoutMs);
            }
          } finally {
            await cluster.close().catch(() => undefined);
          }
        }),
      );
    },

    stats() {
      return [...live.values()].flatMap((f) => f.stats());
    },
  };
}

function resolve<T>(options: KafkaSinkOptions<T>): Resolved<T> {
  validateOptions(kafkaSinkOptionsSchema, options, 'kafkaSink options');
  const fail = (problem: string) => new OptionsError('kafkaSink options', [problem]);
  const names = options.clusters.map((c, i) => c.name ?? `cluster-${i}`);
  if (new Set(names).size !== names.length) throw fail(`clusters: names must be unique (${names.join(', ')})`);
  const o: Resolved<T> = {
    ...options,
    names,
    guarantee: options.guarantee ?? 'at-least-once',
    mode: options.mode ?? 'failover',
    poolSize: options.transactionPoolSize ?? 3,
    transactionTimeoutMs: options.transactionTimeoutMs ?? 900_000,
    maxBatchRecords: options.maxBatchRecords ?? 5_000,
    maxBufferedRecords: options.maxBufferedRecords ?? 50_000,
    produceTimeoutMs: options.produceTimeoutMs ?? 30_000,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 30_000,
    transportFactory: options.transport ?? defaultTransport(),
  };
  if (o.guarantee !== 'exactly-once' && o.mode === 'replicate' && o.clusters.length > 1 && o.spill === undefined) {
    throw fail('spill: replicate mode needs spill.dir (records for a cluster that is down wait there)');
  }
  if (o.mode === 'replicate' && o.clusters.length === 1) o.mode = 'failover';
  return o;
}

/**
 * The pipeline's checkpoint interval is known when the job starts: a prepared transaction waits
 * up to one interval (plus a restart) for its commit, and the broker aborts it after its timeout.
 */
function checkTransactionTimeout<T>(o: Resolved<T>, ctx: SinkContext): void {
  const restart = o.expectedRestartMs ?? 60_000;
  // interval 0: one transaction until the final checkpoint; its length is the job's, unknown here
  const interval = ctx.checkpointIntervalMs > 0 ? ctx.checkpointIntervalMs : 0;
  if (o.transactionTimeoutMs >= interval + restart) return;
  throw new OptionsError(`kafkaSink options (step '${ctx.stepName}')`, [
    `transactionTimeoutMs: ${o.transactionTimeoutMs} must be at least the pipeline's checkpoint interval (${interval}) + expectedRestartMs (${restart}); ` +
      'otherwise the broker aborts prepared transactions before a restarted job can commit them, and their records are lost',
  ]);
}

/** A transport for cluster `i` (the sink's request timeout default is Kafka's 30 s). */
function transportFor<T>(o: Resolved<T>, i: number): KafkaTransport {
  const { name: _name, weight: _weight, ...connection } = o.clusters[i]!;
  return o.transportFactory({ ...connection, name: o.names[i]!, requestTimeoutMs: connection.requestTimeoutMs ?? 30_000 });
}

function producerOptions<T>(o: Resolved<T>, i: number): ClusterProducerOptions {
  return {
    transport: transportFor(o, i),
    partitioner: partitionChooser(o.partitioner),
    transactionTimeoutMs: o.transactionTimeoutMs,
    requestTimeoutMs: o.produceTimeoutMs,
    deliveryTimeoutMs: o.deliveryTimeoutMs,
    maxBatchMessages: o.maxBatchRecords,
    compression: o.compression,
  };
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
