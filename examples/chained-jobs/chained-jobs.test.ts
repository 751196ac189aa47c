import { testCluster } from '@weir/embedded-kafka';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../packages/core/test/runtime/helpers.js';
import { HOUR, runChain, T0 } from './chained-jobs.js';

const cluster = await testCluster({ brokers: 1 });
afterAll(() => cluster.stop());

const HOURS = 4;
const PER_HOUR = 400;

it('jobs chained by readiness: B (Kafka announcements) and C (_SUCCESS) read each hour of a slow A only after A announced it, and whole', async () => {
  const obs = await runChain(cluster.bootstrapServers, await tempDir('weir-chain-'), { hours: HOURS, perHour: PER_HOUR, msPerHour: 1200 });
  const hours = Array.from({ length: HOURS }, (_, h) => new Date(T0 + h * HOUR).toISOString()).map((d) => `dt=${d.slice(0, 10)}/hour=${d.slice(11, 13)}`);
  expect([...obs.announced.keys()]).toEqual(hours);
  // the test can fail: while A was slow, partial hours were visible to anyone scanning directories
  expect(obs.partialSeen.size).toBeGreaterThan(0);
  for (const reads of [obs.streamReads, obs.batchReads]) {
    for (const hour of hours) {
      const announced = obs.announced.get(hour)!;
      const mine = reads.filter((r) => r.hour === hour);
      expect({ hour, rows: mine.length }).toEqual({ hour, rows: announced.records });
      expect(announced.records).toBe(PER_HOUR);
      // never before the announcement
      expect(Math.min(...mine.map((r) => r.at))).toBeGreaterThanOrEqual(announced.at);
    }
  }
  // stream to stream: B starts on an hour soon after it is announced, not after A ended
  const lastHour = obs.announced.get(hours.at(-1)!)!.at;
  const firstHourReadByB = Math.min(...obs.streamReads.filter((r) => r.hour === hours[0]).map((r) => r.at));
  expect(firstHourReadByB).toBeLessThan(lastHour);
}, 120_000);
