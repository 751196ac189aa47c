/**
 * Schema snapshots as a Weir broadcast value: the registry's hot reloads are only proposed, and
 * every step switches to the new snapshot at the same checkpoint barrier.
 */

import type { BroadcastValue, Pipeline } from '@weir/core';
import type { SchemaRegistry } from './registry.js';
import type { SchemaSnapshot } from './snapshot.js';

/**
 * Register `registry`'s snapshots as broadcast `name` of `pipeline`. Use the result as the
 * decoder's snapshot source: `.map('parse', parseEnvelope(() => schemas.current()))`.
 * Reloads (`registry.watch()` or `registry.reload()`) take effect at the next barrier.
 */
export function broadcastSchemas(pipeline: Pipeline, name: string, registry: SchemaRegistry): BroadcastValue<SchemaSnapshot> {
  return pipeline.broadcast(name, registry.current(), { watch: (propose) => registry.onChange((snapshot) => propose(snapshot)) });
}
