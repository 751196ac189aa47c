/**
 * Embeddings fan-out, end to end on embedded Kafka: two source clusters, a local model server, two
 * region clusters. Documents flow while source cluster `b` is stopped midway and brought back; at
 * the end a read_committed KafkaJS consumer per region checks that every document arrived in both
 * regions exactly once with the model's vector for its text, and that documents kept arriving
 * during the outage. Prints a summary; its last line is one JSON object; exits 1 if a check fails.
 * `node --conditions=weir-source --import tsx examples/embeddings-fanout/embeddings-fanout.ts [--docs N]`
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClusters, type EmbeddedCluster } from '@weir/embedded-kafka';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { REGION_TOPIC, SOURCE_TOPIC, startFanout, type Doc } from './fanout-job.js';
import { embed, startModelServer } from './model-server.js';
import { readRegion, type RegionReader } from './region-reader.js';

export interface FanoutReport {
  ok: boolean;
  problems: string[];
  documents: number;
  deadLetters: number;
  regions: Record<string, { records: number; distinct: number }>;
  outage: { documents: number; ms: number; freshnessP50Ms: number; freshnessMaxMs: number };
  lookup: { records: number; calls: number; cacheHits: number };
  model: { requests: number; texts: number; failed: number; delayed: number; largestBatch: number };
}

const WORDS = ['red', 'quiet', 'fast', 'old', 'bright', 'small', 'river', 'city', 'garden', 'engine', 'song', 'market', 'runs', 'sleeps', 'shines', 'waits', 'grows'];

/** Document n of a source (pure): ids never repeat; 700 texts do (across sources too), so the lookup cache has hits. */
export function docAt(source: string, n: number): Doc {
  const t = (n * 37) % 700;
  const w = (k: number) => WORDS[Math.floor(t / WORDS.length ** k) % WORDS.length]!;
  return { id: `${source}-${n}`, text: `${w(0)} ${w(1)} ${w(2)}` };
}

async function producerFor(cluster: EmbeddedCluster): Promise<Producer> {
  const p = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  return p;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function runEmbeddingsFanout(o: { docsPerPhase?: number; log?: (line: string) => void } = {}): Promise<FanoutReport> {
  const per = o.docsPerPhase ?? 400;
  const log = o.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'weir-embeddings-'));
  const [a, b] = (await startClusters(2, { topics: [{ name: SOURCE_TOPIC, partitions: 3 }] })) as [EmbeddedCluster, EmbeddedCluster];
  const [eu, us] = (await startClusters(2, { topics: [{ name: REGION_TOPIC, partitions: 3 }] })) as [EmbeddedCluster, EmbeddedCluster];
  const model = await startModelServer({ failEvery: 7, slowEvery: 11, slowMs: 2_500 });
  const readers: RegionReader[] = [];
  const producers: Producer[] = [];
  const expected = new Map<string, Doc & { source: string; producedAt: number }>();
  const next = { a: 0, b: 0 };
  const produce = async (p: Producer, source: 'a' | 'b', n: number): Promise<string[]> => {
    const docs = Array.from({ length: n }, () => docAt(source, next[source]++));
    const producedAt = Date.now();
    for (const d of docs) expected.set(d.id, { ...d, source, producedAt });
    for (let i = 0; i < docs.length; i += 500) await p.send({ topic: SOURCE_TOPIC, messages: docs.slice(i, i + 500).map((d) => ({ key: d.id, value: JSON.stringify(d) })) });
    return docs.map((d) => d.id);
  };
  let cancel: (() => Promise<unknown>) | undefined;
  const inBothRegions = (ids: string[]) => () => readers.every((r) => ids.every((id) => r.seen.has(id)));
  try {
    for (const [name, c] of [['eu', eu], ['us', us]] as const) readers.push(await readRegion(name, c.bootstrapServers, REGION_TOPIC));
    const pa = await producerFor(a);
    let pb = await producerFor(b);
    producers.push(pa, pb);
    // one poison document per source: it must end in the dead letters, not stop the job
    await pa.send({ topic: SOURCE_TOPIC, messages: [{ key: 'bad-a', value: 'not json' }] });
    await pb.send({ topic: SOURCE_TOPIC, messages: [{ key: 'bad-b', value: '{"id":42}' }] });
    const first = [...(await produce(pa, 'a', per)), ...(await produce(pb, 'b', per))];

    const fanout = startFanout({
      sources: [{ name: 'a', brokers: a.bootstrapServers }, { name: 'b', brokers: b.bootstrapServers }],
      regions: [{ name: 'eu', brokers: eu.bootstrapServers }, { name: 'us', brokers: us.bootstrapServers }],
      modelUrl: model.url,
      checkpointDir: join(dir, 'checkpoints'),
    });
    cancel = () => fanout.job.stop({ mode: 'cancel' });
    const failed = fanout.job.done.then(
      () => undefined,
      (err: unknown) => err,
    );
    const watch = async (cond: () => boolean, ms: number, what: string) => {
      await Promise.race([until(cond, ms, what), failed.then((err) => { if (err !== undefined) throw err; })]);
    };
    await watch(inBothRegions(first), 20_000, 'the first documents in both regions');
    log(`phase 1: ${first.length} documents from a and b in both regions`);

    // source cluster b goes down; a's documents must keep reaching both regions meanwhile
    await pb.disconnect();
    producers.splice(producers.indexOf(pb), 1);
    await b.stop();
    const outageStart = Date.now();
    const during: string[] = [];
    for (let round = 0; round < 4; round++) {
      const ids = await produce(pa, 'a', Math.ceil(per / 4));
      during.push(...ids);
      await watch(inBothRegions(ids), 10_000, `round ${round} of a's documents in both regions while b is down`);
    }
    const outageMs = Date.now() - outageStart;
    const freshness = during.map((id) => Math.max(...readers.map((r) => r.seen.get(id)![0]!.atMs)) - expected.get(id)!.producedAt).sort((x, y) => x - y);
    log(`outage: b down ${outageMs} ms, ${during.length} documents from a reached both regions (freshness p50 ${freshness[freshness.length >> 1]} ms, max ${freshness.at(-1)} ms)`);

    // b returns: what it held and what it gets now flows again
    await b.start();
    pb = await producerFor(b);
    producers.push(pb);
    const last = [...(await produce(pb, 'b', per)), ...(await produce(pa, 'a', per))];
    await watch(inBothRegions(last), 20_000, 'the documents after b came back in both regions');
    log(`phase 3: b back, ${last.length} more documents in both regions`);

    cancel = undefined;
    const result = await fanout.job.stop({ mode: 'drain' });
    if (result.outcome !== 'drained') throw new Error(`job ended ${result.outcome}`);
    // anything committed by the drain's last checkpoint becomes visible shortly
    await new Promise((r) => setTimeout(r, 500));

    const problems: string[] = [];
    for (const r of readers) {
      for (const [id, doc] of expected) {
        const copies = r.seen.get(id) ?? [];
        if (copies.length !== 1) problems.push(`${r.name}: ${id} arrived ${copies.length} times`);
        const got = copies[0]?.value;
        if (got !== undefined && (got.text !== doc.text || got.source !== doc.source || JSON.stringify(got.vector) !== JSON.stringify(embed(doc.text)))) problems.push(`${r.name}: ${id} has the wrong text, source or vector`);
      }
      for (const id of r.seen.keys()) if (!expected.has(id)) problems.push(`${r.name}: unexpected document ${id}`);
    }
    const dead = fanout.deadLetters();
    if (dead.length !== 2 || !dead.every((d) => d.step === 'parse' && d.position !== undefined)) problems.push(`expected 2 dead letters from 'parse' with source positions, got ${dead.length}`);
    if (result.restarts !== 0) problems.push(`the job restarted ${result.restarts} times`);
    return {
      ok: problems.length === 0,
      problems: problems.slice(0, 20),
      documents: expected.size,
      deadLetters: dead.length,
      regions: Object.fromEntries(readers.map((r) => [r.name, { records: r.count(), distinct: r.seen.size }])),
      outage: { documents: during.length, ms: outageMs, freshnessP50Ms: freshness[freshness.length >> 1]!, freshnessMaxMs: freshness.at(-1)! },
      lookup: { records: fanout.lookup.records, calls: fanout.lookup.calls, cacheHits: fanout.lookup.cacheHits },
      model: { ...model.stats },
    };
  } finally {
    await cancel?.().catch(() => {});
    for (const p of producers) await p.disconnect().catch(() => {});
    for (const r of readers) await r.stop().catch(() => {});
    await model.close();
    for (const c of [a, b, eu, us]) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--docs');
  const report = await runEmbeddingsFanout({ docsPerPhase: i > 0 ? Number(process.argv[i + 1]) : 2_000, log: (l) => console.log(l) });
  for (const p of report.problems) console.log(`problem: ${p}`);
  console.log(JSON.stringify({ embeddingsFanout: report.ok ? 'ok' : 'failed', ...report, problems: report.problems.length }));
  process.exitCode = report.ok ? 0 : 1;
}
