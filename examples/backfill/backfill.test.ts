import { join } from 'node:path';
import { testCluster } from '@weir/embedded-kafka';
import type { MultiHorizonResult } from '@weir/operators';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../packages/core/test/runtime/helpers.js';
import { committedJsonLines } from '../support/committed-lines.js';
import { backfillFeatures, hoursOf, ingestPlays, liveFeatures, producePlays } from './backfill.js';

const PLAYS = 3000; // 7.5 hours of event time: 8 hourly partitions
const cluster = await testCluster({ brokers: 1 });
afterAll(() => cluster.stop());

it('backfill over the Parquet files the ingest wrote = the live run over Kafka, record for record', async () => {
  const work = await tempDir('weir-backfill-');
  const topic = `plays-${Date.now()}`;
  await producePlays(cluster.bootstrapServers, topic, PLAYS);
  expect((await liveFeatures(cluster.bootstrapServers, topic, join(work, 'live'))).outcome).toBe('finished');
  expect((await ingestPlays(cluster.bootstrapServers, topic, join(work, 'tables'), join(work, 'ingest'))).outcome).toBe('finished');
  const { from, to } = hoursOf(PLAYS);
  expect((await backfillFeatures(join(work, 'tables'), from, to, join(work, 'backfill'))).outcome).toBe('finished');

  const sorted = (dir: string) => committedJsonLines<MultiHorizonResult>(join(work, dir, 'features')).map((r) => JSON.stringify(r)).sort();
  const live = sorted('live');
  const backfill = sorted('backfill');
  // one row per distinct play (every 10th play is a duplicate the dedupe drops)
  expect(live.length).toBe(PLAYS - Math.floor((PLAYS + 6) / 10));
  expect(backfill).toEqual(live);
}, 120_000);
