import { expect, it } from 'vitest';
import { runEmbeddingsFanout } from './embeddings-fanout.js';

it('embeddings-fanout: every document in both regions exactly once with its vector, flowing while a source cluster is down', async () => {
  const report = await runEmbeddingsFanout({ docsPerPhase: 300 });
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
  // 300 per source before the outage, 300 from a during it, 300 per source after it
  expect(report.documents).toBe(1_500);
  expect(report.regions).toEqual({ eu: { records: 1_500, distinct: 1_500 }, us: { records: 1_500, distinct: 1_500 } });
  expect(report.deadLetters).toBe(2);
  expect(report.outage.documents).toBe(300);
  // the model server failed and stalled requests on purpose: retries and timeouts recovered them
  expect(report.model.failed).toBeGreaterThan(0);
  expect(report.model.delayed).toBeGreaterThan(0);
  // lookups are batched and cached: far fewer requests than documents, each text embedded about once
  expect(report.lookup.records).toBe(1_500);
  expect(report.lookup.calls).toBeLessThan(report.lookup.records / 10);
  expect(report.lookup.cacheHits).toBeGreaterThan(0);
}, 90_000);
