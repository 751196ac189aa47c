/**
 * core.chain-vs-loop: a 5-step pipeline (map, filter, keyBy, keyed count, sink to memory) over
 * 10M in-memory records, against a hand-written loop doing the same work over the same array
 * (a Map keyed by the numeric user id, as one would write it), and
 * core.chain-vs-node-streams: the same against Node's `stream.pipeline` with object-mode
 * Transform streams. All three sides run in the same rounds, rotating order, from a collected heap.
 * The `.cpu` entries compare the same runs per CPU second: on a loaded machine the side that
 * allocates more loses the spare core its parallel GC threads would use, and wall time shows that.
 */

import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pipeline, collectionSource, heapStateBackend, memorySink, silentLogger, type ValueState } from '@weir/core';
import type { BenchResult } from './support/result.js';
import { ROUNDS, size } from './support/sizes.js';
import { alternate, comparison, logRounds, timed } from './support/stats.js';

const N = size('WEIR_BENCH_RECORDS', 10_000_000, 1_000_000);
const KEYS = 10_000;

interface Rec {
  id: number;
  user: number;
}

/** The in-memory input every side reads. */
const records: Rec[] = Array.from({ length: N }, (_, o) => ({ id: o, user: o % KEYS }));

function handLoop(): number {
  const counts = new Map<number, number>();
  const out: Array<[number, number]> = [];
  for (let o = 0; o < N; o++) {
    const r = records[o]!;
    const m = { id: r.id * 2, user: r.user };
    if (m.id % 3 === 0) continue;
    const n = (counts.get(m.user) ?? 0) + 1;
    counts.set(m.user, n);
    out.push([m.user, n]);
  }
  return out.length;
}

async function nodeStreams(): Promise<number> {
  const counts = new Map<number, number>();
  const out: Array<[number, number]> = [];
  await pipeline(
    Readable.from(records),
    new Transform({ objectMode: true, transform: (r: Rec, _enc, cb) => cb(null, { id: r.id * 2, user: r.user }) }),
    new Transform({ objectMode: true, transform: (m: Rec, _enc, cb) => (m.id % 3 === 0 ? cb() : cb(null, m)) }),
    new Transform({
      objectMode: true,
      transform: (m: Rec, _enc, cb) => {
        const n = (counts.get(m.user) ?? 0) + 1;
        counts.set(m.user, n);
        cb(null, [m.user, n]);
      },
    }),
    new Writable({ objectMode: true, write: (x: [number, number], _enc, cb) => (out.push(x), cb()) }),
  );
  return out.length;
}

async function weir(): Promise<number> {
  const sink = memorySink<[string, number]>();
  const p = new Pipeline({ name: 'bench-chain', checkpoints: { intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger });
  p.source('records', collectionSource(records, { batchSize: 4096 }))
    .map('double', (r) => ({ id: r.id * 2, user: r.user }))
    .filter('drop-thirds', (r) => r.id % 3 !== 0)
    .keyBy((r) => r.user)
    .process<[string, number]>('count', () => {
      let count: ValueState<number>;
      return {
        open: (ctx) => void (count = ctx.state.valueState<number>('count')),
        processElement: (_r, ctx) => {
          const n = (count.value() ?? 0) + 1;
          count.update(n);
          ctx.emit([ctx.key, n]);
        },
      };
    })
    .sink('memory', sink);
  await p.run();
  return sink.committedCount();
}

export async function run(): Promise<BenchResult[]> {
  const counts = new Set<number>();
  /** Records per wall second and per CPU second of one run; every side must produce the same number of outputs. */
  const rates = (fn: () => number | Promise<number>) => async () => {
    const { result, ms, cpuMs } = await timed(fn);
    counts.add(result);
    return { wall: (N / ms) * 1000, cpu: (N / cpuMs) * 1000 };
  };
  const r = await alternate({ weir: rates(weir), loop: rates(handLoop), streams: rates(nodeStreams) }, { rounds: ROUNDS });
  if (counts.size !== 1) throw new Error(`chain-vs-loop: outputs differ (${[...counts].join(' vs ')})`);
  const wall = { weir: r.weir.map((x) => x.wall), loop: r.loop.map((x) => x.wall), streams: r.streams.map((x) => x.wall) };
  const cpu = { weir: r.weir.map((x) => x.cpu), loop: r.loop.map((x) => x.cpu), streams: r.streams.map((x) => x.cpu) };
  logRounds('core chain', wall, 'records/s');
  logRounds('core chain', cpu, 'records/CPU-s');
  return [
    comparison('core.chain-vs-loop', 'records/s', wall.weir, wall.loop, { baselineLabel: 'hand loop' }),
    comparison('core.chain-vs-node-streams', 'records/s', wall.weir, wall.streams, { baselineLabel: 'stream.pipeline' }),
    // the same runs per CPU second (GC helper threads included): less dependent on what else the machine runs
    comparison('core.chain-vs-loop.cpu', 'records/CPU-s', cpu.weir, cpu.loop, { baselineLabel: 'hand loop' }),
    comparison('core.chain-vs-node-streams.cpu', 'records/CPU-s', cpu.weir, cpu.streams, { baselineLabel: 'stream.pipeline' }),
  ];
}
