/**
 * Runs a keyed operator over a scripted stream, optionally stopping with a savepoint at an exact
 * record position and restoring from it in a second job; returns the committed main and late
 * outputs of both jobs together.
 */

import { join } from 'node:path';
import {
  Pipeline,
  RestartStrategies,
  WatermarkStrategies,
  classicLevelStateBackend,
  heapStateBackend,
  memorySink,
  rocksDbStateBackend,
  silentLogger,
  type StateBackendFactory,
  type Stream,
} from '@weir/core';
import { scriptedSource } from './scripted-source.js';
import { tempDirs } from './temp-dirs.js';

export type BackendKind = 'heap' | 'classic-level' | 'rocksdb';

export function backendFor(kind: BackendKind): StateBackendFactory {
  if (kind === 'heap') return heapStateBackend();
  return kind === 'rocksdb' ? rocksDbStateBackend() : classicLevelStateBackend();
}

export interface Scenario<T, O> {
  records: readonly T[];
  batchSize: number;
  /** Bounded out-of-orderness of the watermarks. */
  boundMs: number;
  timestampOf: (record: T) => number;
  /** The steps under test; `late` is an optional second output (e.g. a late-data side output). */
  build: (input: Stream<T>) => { main: Stream<O>; late?: Stream<unknown> };
  backend?: BackendKind;
  /** Take a savepoint after this many records (a multiple of `batchSize`) and restore from it. */
  restoreAt?: number;
}

export interface ScenarioResult<O> {
  main: O[];
  late: unknown[];
}

export async function runScenario<T, O>(scenario: Scenario<T, O>): Promise<ScenarioResult<O>> {
  const dir = await tempDirs.make();
  // one sink pair for both jobs: a restore re-commits the savepoint's committables (idempotent)
  const mainSink = memorySink<O>();
  const lateSink = memorySink<unknown>();
  const job = (pauseAt: number | undefined, restoreFrom: string | undefined) => {
    const p = new Pipeline({
      name: 'scenario',
      checkpoints: { dir: join(dir, 'checkpoints'), intervalMs: 0 },
      stateBackend: backendFor(scenario.backend ?? 'heap'),
      workDir: join(dir, `work-${pauseAt ?? 'end'}`),
      logger: silentLogger,
      pollTimeoutMs: 5,
      errorPolicy: 'fail',
      restart: RestartStrategies.none(),
      ...(restoreFrom !== undefined ? { restoreFrom } : { restoreFrom: 'none' }),
    });
    const input = p.source('input', scriptedSource(scenario.records, scenario.batchSize, pauseAt), {
      watermarks: WatermarkStrategies.forBoundedOutOfOrderness<T>(scenario.boundMs, scenario.timestampOf),
    });
    const outputs = scenario.build(input);
    outputs.main.sink('main-out', mainSink);
    outputs.late?.sink('late-out', lateSink);
    return p;
  };
  let restoreFrom: string | undefined;
  if (scenario.restoreAt !== undefined) {
    const first = job(scenario.restoreAt, undefined);
    const running = first.start();
    const deadline = Date.now() + 20_000;
    while ((running.status().steps.find((s) => s.step === 'input')?.recordsOut ?? 0) < scenario.restoreAt) {
      if (Date.now() > deadline) throw new Error(`the source never reached record ${scenario.restoreAt}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const stopped = await running.stop({ mode: 'suspend' });
    if (stopped.savepoint === undefined) throw new Error(`no savepoint: ${stopped.outcome}`);
    restoreFrom = stopped.savepoint.path;
  }
  const last = job(undefined, restoreFrom).start();
  const result = await last.done;
  if (result.outcome !== 'finished') throw new Error(`job ended ${result.outcome}: ${JSON.stringify(result)}`);
  // the restored job really resumed at the savepoint: it read only the records after it
  const read = last.status().steps.find((s) => s.step === 'input')?.recordsOut;
  const expectedRead = scenario.records.length - (scenario.restoreAt ?? 0);
  if (read !== expectedRead) throw new Error(`the last job read ${read} records, expected ${expectedRead}: it did not resume from the savepoint`);
  return { main: mainSink.committed, late: lateSink.committed };
}

/** Canonical order for comparing outputs as multisets. */
export function sorted<X>(values: readonly X[]): X[] {
  return values.map((v) => [JSON.stringify(v), v] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
}

/** fast-check run count: modest in CI, raised with WEIR_PROPERTY_RUNS. */
export function propertyRuns(base: number): number {
  const scale = Number(process.env.WEIR_PROPERTY_RUNS ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
