/**
 * @weir/kafka — Kafka connectors for Weir: a multi-cluster source (runtime discovery, clusters
 * that may be down, offsets in checkpoints) and a two-phase-commit sink.
 */

export * from './transport/index.js';
export * from './source/index.js';
export * from './sink/index.js';
export * from './repartition/index.js';
