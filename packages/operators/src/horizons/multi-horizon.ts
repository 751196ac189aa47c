/**
 * Multi-horizon aggregator: per key, count / sum / min / max / approximate distinct over several
 * horizons at once (e.g. 1 m, 6 h, 12 h, 24 h), from one set of slices. Emitted for every record
 * (horizons ending at the end of the record's slice) or every `everyMs` of event time.
 *
 * Horizon h as of `end` covers the slices starting in [end - h, end). Slices that no on-time record
 * can need any more (start + slice <= watermark - longest horizon) are dropped as records arrive;
 * `idleTtlMs` also drops a key's slices that long (processing time) after its last write, so keys
 * that go quiet cost nothing. Records at or behind the watermark go to `lateTag`.
 *
 * State per key: MapState `slices` (slice start -> { n, sum, min, max, d? }); with a timer trigger,
 * ValueState `ticked` (last emitted tick) and one event-time timer for the next tick.
 */

import { LATE_DATA, type KeyedProcessFunction, type MapState, type OutputTag, type ProcessContext, type ValueState } from '@weir/core';
import { FeatureFold, addToSlice, type HorizonFeatures, type SliceStats } from './slice-stats.js';

export interface MultiHorizonOptions<T> {
  /** Horizon lengths in ms, each a multiple of `sliceMs`. */
  horizonsMs: readonly number[];
  /** Slice length in ms: the resolution of every horizon (default 60 000). */
  sliceMs?: number;
  /** The number summed / min'd / max'd (default: 1 per record). */
  numberOf?: (record: T) => number;
  /** The value counted distinct (approximately, HyperLogLog); off when absent. */
  distinctOf?: (record: T) => string | number;
  /** HyperLogLog precision (default 12: 4096 registers, about 1.6 % standard error). */
  precision?: number;
  /** 'record' (default): emit per record; `{ everyMs }`: emit per key every `everyMs` of event time while it has data. */
  trigger?: 'record' | { everyMs: number };
  /** Drop a key's slices this long after its last write (processing time, state TTL). */
  idleTtlMs?: number;
  lateTag?: OutputTag<unknown>;
}

export interface MultiHorizonResult {
  key: string;
  /** Exclusive end of every horizon. */
  end: number;
  horizons: HorizonFeatures[];
}

export function multiHorizon<T>(options: MultiHorizonOptions<T>): () => KeyedProcessFunction<string, T, MultiHorizonResult> {
  const slice = options.sliceMs ?? 60_000;
  const horizons = [...options.horizonsMs].sort((a, b) => a - b);
  if (horizons.length === 0 || horizons.some((h) => !Number.isSafeInteger(h) || h <= 0 || h % slice !== 0)) {
    throw new RangeError(`horizons must be positive multiples of sliceMs (${slice}), got ${horizons.join(', ')}`);
  }
  const longest = horizons[horizons.length - 1]!;
  const every = options.trigger === undefined || options.trigger === 'record' ? undefined : options.trigger.everyMs;
  if (every !== undefined && (!Number.isSafeInteger(every) || every <= 0 || every % slice !== 0)) throw new RangeError(`everyMs must be a positive multiple of sliceMs, got ${every}`);
  const numberOf = options.numberOf ?? (() => 1);
  const distinctOf = options.distinctOf;
  const precision = options.precision ?? 12;
  const lateTag = options.lateTag ?? LATE_DATA;
  const sliceOf = (ts: number) => ts - (((ts % slice) + slice) % slice);
  const ttl = options.idleTtlMs === undefined ? {} : { ttl: { ttlMs: options.idleTtlMs } };

  return () => {
    let slices: MapState<number, SliceStats>;
    let ticked: ValueState<number>;

    /** Features of every horizon ending at `end`, from one pass over the key's slices. */
    const emitAsOf = (ctx: ProcessContext<string, MultiHorizonResult>, end: number): void => {
      // bucket each slice under the shortest horizon that covers it, then fold shortest first
      const buckets: SliceStats[][] = horizons.map(() => []);
      for (const [start, stats] of slices.entries()) {
        if (start >= end || start < end - longest) continue;
        let h = 0;
        while (start < end - horizons[h]!) h++;
        buckets[h]!.push(stats);
      }
      const fold = new FeatureFold(distinctOf === undefined ? undefined : precision);
      const out = horizons.map((h, i) => {
        for (const s of buckets[i]!) fold.add(s);
        return fold.features(h);
      });
      ctx.emit({ key: ctx.key, end, horizons: out }, end - 1);
    };

    const evict = (wm: number): void => {
      let expired: number[] | undefined;
      for (const start of slices.keys()) if (start + slice <= wm - longest) (expired ??= []).push(start);
      if (expired !== undefined) for (const start of expired) slices.remove(start);
    };

    const hasDataFor = (end: number): boolean => {
      for (const start of slices.keys()) if (start < end && start >= end - longest) return true;
      return false;
    };

    const nextTick = (after: number): number => Math.floor(after / every!) * every! + every!;

    return {
      open(ctx) {
        slices = ctx.state.mapState<number, SliceStats>('slices', ttl);
        ticked = ctx.state.valueState<number>('ticked', ttl);
      },

      processElement(record, ctx) {
        const ts = ctx.timestamp;
        const wm = ctx.timers.currentWatermark();
        if (ts <= wm) {
          ctx.output(lateTag, record);
          return;
        }
        evict(wm);
        const s = sliceOf(ts);
        slices.put(s, addToSlice(slices.get(s), numberOf(record), distinctOf?.(record), precision));
        if (every === undefined) emitAsOf(ctx, s + slice);
        else ctx.timers.registerEventTimeTimer(nextTick(ts) - 1);
      },

      onTimer(timestamp, ctx) {
        const wm = ctx.timers.currentWatermark();
        // every tick up to the watermark, once: several timers of a key can be due in one step
        let tick = Math.max(timestamp + 1, (ticked.value() ?? -Infinity) + every!);
        let last: number | undefined;
        for (; tick - 1 <= wm; tick += every!) {
          if (!hasDataFor(tick)) {
            // skip empty stretches: the next tick that covers a slice at or after this tick's end
            let next = Infinity;
            for (const start of slices.keys()) if (start >= tick) next = Math.min(next, nextTick(start));
            if (next === Infinity) break;
            tick = next - every!;
            continue;
          }
          emitAsOf(ctx, tick);
          last = tick;
        }
        if (last !== undefined) ticked.update(last);
        evict(wm);
        if (slices.size() === 0) ticked.clear();
        else ctx.timers.registerEventTimeTimer(Math.max(tick, nextTick(wm)) - 1);
      },
    };
  };
}
