/** The Nexmark generator as an in-process source: split s of S reads events s, s + S, s + 2S, ... */

import { WatermarkStrategies, generatorSource, type GeneratorSplit, type Source, type FluentWatermarkStrategy } from '@weir/core';
import { NexmarkGenerator, type NexmarkConfig } from './generator.js';
import type { NexmarkEvent } from './model.js';

export interface NexmarkSourceOptions extends NexmarkConfig {
  events: number;
  splits?: number;
  batchSize?: number;
}

export function nexmarkSource(options: NexmarkSourceOptions): Source<NexmarkEvent, GeneratorSplit, null> {
  const generator = new NexmarkGenerator(options);
  const splits = options.splits ?? 1;
  if (options.events % splits !== 0) throw new RangeError(`events (${options.events}) must be a multiple of splits (${splits})`);
  return generatorSource({
    splits,
    recordsPerSplit: options.events / splits,
    batchSize: options.batchSize ?? 1000,
    generate: (s, o) => generator.event(o * splits + s),
  });
}

/** Event time of any Nexmark event; timestamps only grow within a split. */
export function nexmarkTimeOf(e: NexmarkEvent): number {
  return e.kind === 'person' ? e.person.dateTime : e.kind === 'auction' ? e.auction.dateTime : e.bid.dateTime;
}

export function nexmarkWatermarks(): FluentWatermarkStrategy<NexmarkEvent> {
  return WatermarkStrategies.forMonotonousTimestamps<NexmarkEvent>(nexmarkTimeOf);
}
