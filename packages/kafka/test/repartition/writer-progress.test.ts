/**
 * What an exchange reader concludes from the writers' markers: a partition ends once every writer
 * of the current writer set ended in it; markers of another writer count (a run before a rescale)
 * reset what was read; a restored split's progress counts as read.
 */

import { MAX_WATERMARK, MIN_WATERMARK } from '@weir/core';
import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../src/index.js';
import { ExchangeProgress, HEADER_END, HEADER_PRODUCER, HEADER_PRODUCERS, HEADER_WATERMARK } from '../../src/repartition/watermark-markers.js';

let offset = 0;
function marker(partition: number, producer: number, producers: number, watermark: number, end = false): KafkaRecord {
  const headers: KafkaRecord['headers'] = {
    [HEADER_WATERMARK]: Buffer.from(String(end ? MAX_WATERMARK : watermark)),
    [HEADER_PRODUCER]: Buffer.from(String(producer)),
    [HEADER_PRODUCERS]: Buffer.from(String(producers)),
  };
  if (end) headers[HEADER_END] = Buffer.from('1');
  return { cluster: 'exchange', topic: 't', partition, offset: String(offset++), key: null, value: null, headers, timestamp: 0 };
}

describe('ExchangeProgress', () => {
  it('a partition ends once every writer of the set ended; the watermark is the lowest writer over the partitions', () => {
    const p = new ExchangeProgress([0, 1]);
    p.observe(marker(0, 0, 2, 100));
    expect(p.watermark()).toBe(MIN_WATERMARK); // writer 1 not heard of in partition 0, partition 1 not at all
    p.observe(marker(0, 1, 2, 50));
    p.observe(marker(1, 0, 2, 300));
    p.observe(marker(1, 1, 2, 200));
    expect(p.watermark()).toBe(50);
    p.observe(marker(0, 0, 2, 0, true));
    expect(p.isComplete(0)).toBe(false);
    expect(p.snapshot(0)).toEqual({ writers: 2, ended: [0] });
    p.observe(marker(0, 1, 2, 0, true));
    expect(p.isComplete(0)).toBe(true);
    expect(p.isComplete(1)).toBe(false);
    expect(p.watermark()).toBe(200); // partition 0 is at MAX
  });

  it('markers with another writer count (a rescaled run) reset the ends read so far', () => {
    const p = new ExchangeProgress([0]);
    p.observe(marker(0, 0, 3, 0, true));
    p.observe(marker(0, 1, 3, 0, true));
    // the job was rescaled to 2 writers before writer 2 ended: the old run's ends no longer count
    p.observe(marker(0, 0, 2, 500));
    expect(p.snapshot(0)).toEqual({ writers: 2, ended: [] });
    p.observe(marker(0, 0, 2, 0, true));
    expect(p.isComplete(0)).toBe(false);
    p.observe(marker(0, 1, 2, 0, true));
    expect(p.isComplete(0)).toBe(true);
  });

  it('a restored split counts its ended writers (MAX watermark); a reset forgets an earlier attempt', () => {
    const p = new ExchangeProgress([0]);
    p.observe(marker(0, 0, 2, 900));
    p.observe(marker(0, 1, 2, 900));
    expect(p.watermark()).toBe(900);
    p.reset(); // a new reader: only what its restored splits say
    expect(p.watermark()).toBe(MIN_WATERMARK);
    p.seed(0, { writers: 2, ended: [1] });
    expect(p.isComplete(0)).toBe(false);
    p.observe(marker(0, 0, 2, 400));
    expect(p.watermark()).toBe(400);
    p.observe(marker(0, 0, 2, 0, true));
    expect(p.isComplete(0)).toBe(true);
  });

  it('ignores markers of partitions it does not own and markers without valid writer numbers', () => {
    const p = new ExchangeProgress([0]);
    p.observe(marker(5, 0, 1, 0, true));
    const bad = marker(0, 0, 1, 0, true);
    bad.headers[HEADER_PRODUCERS] = Buffer.from('x');
    p.observe(bad);
    p.observe(marker(0, 3, 2, 0, true)); // writer index beyond the count
    expect(p.isComplete(0)).toBe(false);
    expect(p.snapshot(0)).toBeUndefined();
  });
});
