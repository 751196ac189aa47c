/** One property-test case: replay the brute-force reference, run the steps (optionally across a restore). */

import type { Stream } from '@weir/core';
import { runScenario, type BackendKind, type ScenarioResult } from './harness.js';
import { replay, type ReferenceOperator } from './reference.js';
import { restorePoint, type StreamCase } from './window-cases.js';
import type { Event } from './window-reference.js';

export function runCase<O>(
  c: StreamCase,
  ref: ReferenceOperator<Event>,
  build: (input: Stream<Event>) => { main: Stream<O>; late?: Stream<unknown> },
  backend: BackendKind,
  restore: boolean,
): Promise<ScenarioResult<O>> {
  replay(c.events, c.batchSize, c.boundMs, (e) => e.ts, ref);
  return runScenario<Event, O>({
    records: c.events,
    batchSize: c.batchSize,
    boundMs: c.boundMs,
    timestampOf: (e) => e.ts,
    build,
    backend,
    ...(restore ? { restoreAt: restorePoint(c) } : {}),
  });
}
