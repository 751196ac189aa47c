/** The ETL rules as a Weir step. */

import type { BroadcastValue } from '@weir/core';
import type { CompiledRules, EtlRecord } from './rules.js';

const NOTHING: readonly never[] = [];

/**
 * A function for `stream.flatMap(name, fn)` applying the broadcast rules: zero outputs when the
 * record is dropped or filtered out, one otherwise (routing changes its `stream`). The rules in
 * effect change only between mailbox actions, at a checkpoint barrier, so one batch is always
 * handled by one version.
 *
 * ```ts
 * decoded.flatMap('etl', etlStep(rules)).sink(...)
 * ```
 */
export function etlStep<R extends EtlRecord>(rules: BroadcastValue<CompiledRules>): (record: R) => Iterable<R> {
  return (record) => {
    const out = rules.current().apply(record);
    return out === null ? NOTHING : [out];
  };
}
