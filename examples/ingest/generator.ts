/**
 * The demo's event generator: deterministic events of three streams over several event-time
 * hours, written to Kafka as protobuf envelopes (mixed compression), plus bad input that must
 * end up in the dead letters. It also returns what a correct pipeline must produce.
 */

import type { SchemaSnapshot } from '@weir/formats';
import { encodeEnvelope, encodeRecord, type Compression } from '@weir/formats';
import type { Producer } from 'kafkajs';
import type { ProducedStream } from './schemas.js';

export const HOUR = 3_600_000;

export interface Expected {
  /** `${stream}|${hourIndex}` -> records. */
  counts: Map<string, number>;
  orderTotal: number;
  good: number;
  bad: number;
}

const COMPRESSIONS: Compression[] = ['none', 'gzip', 'zstd', 'lz4', 'snappy'];

/** The event with `id` of `stream` at event time `ts`. */
function eventsOf(stream: ProducedStream, id: number, ts: number, withReferrer: boolean): Record<string, unknown> {
  const at = { seconds: Math.floor(ts / 1000), nanos: (ts % 1000) * 1_000_000 };
  switch (stream) {
    case 'clicks':
      return {
        id,
        user: `user-${id % 97}`,
        page: `/p/${id % 13}`,
        device: { os: id % 2 ? 'android' : 'ios', model: `m${id % 5}` },
        tags: id % 3 === 0 ? [] : [`t${id % 7}`, `t${id % 11}`],
        attrs: { ab: id % 2 ? 'a' : 'b', lang: 'en' },
        kind: (id % 3) + 1,
        at,
        ...(withReferrer ? { referrer: `ref-${id % 4}` } : {}),
      };
    case 'orders':
      return { id: 9_007_199_254_740_993n + BigInt(id), user: `user-${id % 97}`, items: [{ sku: `sku-${id % 50}`, qty: (id % 4) + 1 }], total: (id % 1000) / 10, at };
    case 'heartbeats':
      return { host: `host-${id % 3}`, at, load: (id % 100) / 100 };
  }
}

export interface ProduceOptions {
  producer: Producer;
  topic: string;
  snapshot: SchemaSnapshot;
  t0: number;
  hours: number[];
  perHour: Record<ProducedStream, number>;
  silent: { stream: ProducedStream; hour: number };
  /** Where the pipeline's ETL will route an event (default: its own stream). */
  routeOf?: (stream: ProducedStream, id: number) => string;
  withReferrer: boolean;
  expected: Expected;
  /** First id to use (ids stay unique across phases). */
  firstId: number;
}

/** Event time of event `i` of the `n` per hour in hour `h`: evenly spread, unique per stream. */
const tsOf = (t0: number, h: number, i: number, n: number) => t0 + h * HOUR + Math.floor((i * HOUR) / n);

/** Produce the events of `hours`; returns the next free id. */
export async function produceHours(o: ProduceOptions): Promise<number> {
  let id = o.firstId;
  const messages: Array<{ key: string; value: Buffer; timestamp: string }> = [];
  for (const h of o.hours) {
    for (const stream of Object.keys(o.perHour) as ProducedStream[]) {
      if (stream === o.silent.stream && h === o.silent.hour) continue;
      const n = o.perHour[stream];
      for (let i = 0; i < n; i++, id++) {
        const ts = tsOf(o.t0, h, i, n);
        const event = eventsOf(stream, id, ts, o.withReferrer);
        const compression = COMPRESSIONS[id % COMPRESSIONS.length]!;
        messages.push({ key: `${stream}-${id}`, value: Buffer.from(encodeRecord(o.snapshot, stream, event, { compression })), timestamp: String(ts) });
        const k = `${o.routeOf?.(stream, id) ?? stream}|${h}`;
        o.expected.counts.set(k, (o.expected.counts.get(k) ?? 0) + 1);
        if (stream === 'orders') o.expected.orderTotal += (id % 1000) / 10;
        o.expected.good++;
      }
    }
  }
  for (let i = 0; i < messages.length; i += 1000) await o.producer.send({ topic: o.topic, messages: messages.slice(i, i + 1000) });
  return id;
}

/** An envelope built by hand (wire format), so it can claim a compression its payload does not have. */
function rawEnvelope(stream: string, compressionCode: number, payload: Buffer): Buffer {
  const s = Buffer.from(stream);
  return Buffer.concat([Buffer.from([0x0a, s.length]), s, Buffer.from([0x18, compressionCode, 0x2a, payload.length]), payload]);
}

/** Garbage bytes, a payload that is not what its compression says, and an unknown stream. */
export async function produceBadInput(producer: Producer, topic: string, ts: number, expected: Expected): Promise<void> {
  const bad = badInput();
  await producer.send({ topic, messages: bad.map((value, i) => ({ key: `bad-${i}`, value, timestamp: String(ts) })) });
  expected.bad += bad.length;
}

/** One generated message: the Kafka record and what the pipeline must make of it. */
export interface GeneratedEvent {
  stream: ProducedStream;
  id: number;
  key: string;
  value: Buffer;
  ts: number;
  /** Index of the cluster the event goes to (events alternate between clusters by id). */
  cluster: number;
  /** The output stream after the ETL's routing rule. */
  routed: string;
  hour: number;
}

export interface StreamingPlan {
  t0: number;
  perHour: Record<ProducedStream, number>;
  silent: { stream: ProducedStream; hour: number };
  clusters: number;
  routeOf: (stream: ProducedStream, id: number) => string;
}

/**
 * The events with event time in [from, to) (relative to t0), every stream in time order. Ids are
 * `hour * perHour + i`, so any split of the time range yields the same events exactly once.
 */
export function eventsBetween(plan: StreamingPlan, snapshot: SchemaSnapshot, from: number, to: number): GeneratedEvent[] {
  const out: GeneratedEvent[] = [];
  for (const stream of Object.keys(plan.perHour) as ProducedStream[]) {
    const n = plan.perHour[stream];
    for (let h = Math.floor(from / HOUR); h * HOUR < to; h++) {
      if (stream === plan.silent.stream && h === plan.silent.hour) continue;
      // first i with tsOf(...) - t0 >= from, i.e. i >= (from - h*HOUR) * n / HOUR
      const first = Math.max(0, Math.ceil(((from - h * HOUR) * n) / HOUR));
      for (let i = first; i < n; i++) {
        const ts = tsOf(plan.t0, h, i, n);
        if (ts - plan.t0 >= to) break;
        const id = h * n + i;
        const compression = COMPRESSIONS[id % COMPRESSIONS.length]!;
        const value = Buffer.from(encodeRecord(snapshot, stream, eventsOf(stream, id, ts, false), { compression }));
        out.push({ stream, id, key: `${stream}-${id}`, value, ts, cluster: id % plan.clusters, routed: plan.routeOf(stream, id), hour: h });
      }
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Bad input that must end up in the dead letters, with its reason (one of each kind). */
export function badInput(): Buffer[] {
  return [
    Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]),
    rawEnvelope('clicks', 2 /* ZSTD */, Buffer.from('these bytes were never zstd-compressed')),
    Buffer.from(encodeEnvelope({ stream: 'no-such-stream', schemaVersion: 1, compression: 'none', format: 'protobuf', payload: Buffer.from([8, 1]) })),
  ];
}

/** Add generated events to what a correct pipeline must produce. */
export function expectEvents(expected: Expected, events: readonly GeneratedEvent[]): void {
  for (const e of events) {
    const k = `${e.routed}|${e.hour}`;
    expected.counts.set(k, (expected.counts.get(k) ?? 0) + 1);
    if (e.stream === 'orders') expected.orderTotal += (e.id % 1000) / 10;
    expected.good++;
  }
}

/** Send events to their clusters (`producers[cluster]`), at most 1,000 per `send` (KafkaJS groups a send quadratically). */
export async function sendEvents(producers: readonly Producer[], events: readonly GeneratedEvent[], topicOf: (stream: ProducedStream) => string): Promise<void> {
  const groups = new Map<string, GeneratedEvent[]>();
  for (const e of events) {
    const k = `${e.cluster}|${e.stream}`;
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(e);
  }
  await Promise.all(
    [...groups.values()].map(async (g) => {
      for (let i = 0; i < g.length; i += 1000) {
        const chunk = g.slice(i, i + 1000);
        await producers[chunk[0]!.cluster]!.send({ topic: topicOf(chunk[0]!.stream), messages: chunk.map((e) => ({ key: e.key, value: e.value, timestamp: String(e.ts) })) });
      }
    }),
  );
}
