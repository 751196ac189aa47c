/** Prometheus gauges of the sink's per-cluster figures (collected on scrape from `stats()`). */

import { Gauge, type Registry } from 'prom-client';
import type { KafkaClusterStats } from './types.js';

const STATE_VALUE: Record<KafkaClusterStats['state'], number> = { closed: 0, 'half-open': 0.5, open: 1 };

type Sources = Map<string, { step: string; subtask: number; stats: () => KafkaClusterStats[] }>;

/** Every sink registered on a registry: the gauges exist once per registry and read them all. */
const perRegistry = new WeakMap<Registry, Set<Sources>>();

/** Register the gauges (once per registry); `sources` maps `step/subtask` to a stats function. */
export function registerSinkGauges(registry: Registry, sources: Sources): void {
  const known = perRegistry.get(registry);
  if (known !== undefined) {
    known.add(sources);
    return;
  }
  const all = new Set<Sources>([sources]);
  perRegistry.set(registry, all);
  const labelNames = ['step', 'subtask', 'cluster'] as const;
  const gauge = (name: string, help: string, value: (s: KafkaClusterStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const map of all) {
          for (const src of map.values()) {
            for (const s of src.stats()) this.set({ step: src.step, subtask: String(src.subtask), cluster: s.name }, value(s));
          }
        }
      },
    });
  gauge('weir_kafka_sink_spill_depth', 'Records waiting in the durable spill of a cluster (replicate mode)', (s) => s.spillDepth);
  gauge('weir_kafka_sink_pending_records', 'Records handed to a cluster and not yet acknowledged', (s) => s.pending);
  gauge('weir_kafka_sink_acknowledged_records', 'Records acknowledged by a cluster since the writer opened', (s) => s.acknowledged);
  gauge('weir_kafka_sink_breaker_state', 'Circuit breaker of a cluster: 0 closed, 0.5 half-open, 1 open', (s) => STATE_VALUE[s.state]);
}
