/**
 * The demo's upstream: events of a few simulated hours, produced as simulated time passes (one
 * hour every `wallPerHourMs`), split between two clusters. While a cluster is down its events
 * wait in a queue, as a producer's buffer would, and follow once it is back (in order).
 */

import type { SchemaSnapshot } from '@weir/formats';
import type { Producer } from 'kafkajs';
import { badInput, eventsBetween, expectEvents, HOUR, sendEvents, type Expected, type GeneratedEvent, type StreamingPlan } from '../ingest/generator.js';
import { topicOf } from '../ingest/setup.js';

export class PacedGenerator {
  readonly expected: Expected = { counts: new Map(), orderTotal: 0, good: 0, bad: 0 };
  /** Simulated ms since t0 produced so far. */
  simulated = 0;
  readonly producedPerCluster: number[];
  readonly queued: GeneratedEvent[][];
  private readonly paused: boolean[];
  private sending: Promise<void> = Promise.resolve();
  private startedAt = 0;
  private stopped = false;

  constructor(
    private readonly plan: StreamingPlan,
    private readonly snapshot: SchemaSnapshot,
    private readonly producers: Producer[],
    readonly hours: number,
    private readonly wallPerHourMs: number,
  ) {
    this.producedPerCluster = producers.map(() => 0);
    this.queued = producers.map(() => []);
    this.paused = producers.map(() => false);
  }

  get done(): boolean {
    return this.simulated >= this.hours * HOUR && this.queued.every((q) => q.length === 0);
  }

  /** Produce until every simulated hour is out (and every queue flushed). */
  async run(): Promise<void> {
    this.startedAt = performance.now();
    while (!this.stopped && this.simulated < this.hours * HOUR) {
      await new Promise((r) => setTimeout(r, 200));
      const to = Math.min(this.hours * HOUR, Math.floor(((performance.now() - this.startedAt) * HOUR) / this.wallPerHourMs));
      if (to <= this.simulated) continue;
      const from = this.simulated;
      this.simulated = to;
      const events = eventsBetween(this.plan, this.snapshot, from, to);
      expectEvents(this.expected, events);
      this.sending = this.sending.then(() => this.send(events, from, to));
      await this.sending;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Hold back the events of `cluster` (it is about to go down); resolves once no send to it is in flight. */
  async pause(cluster: number): Promise<void> {
    this.paused[cluster] = true;
    await this.sending;
  }

  /** The cluster is back: send what waited, then carry on. */
  async resume(cluster: number): Promise<void> {
    this.paused[cluster] = false;
    this.sending = this.sending.then(() => this.send([], 0, 0));
    await this.sending;
  }

  private async send(events: GeneratedEvent[], from: number, to: number): Promise<void> {
    const now: GeneratedEvent[] = [];
    for (let c = 0; c < this.producers.length; c++) {
      const mine = events.filter((e) => e.cluster === c);
      if (this.paused[c]) this.queued[c]!.push(...mine);
      else {
        now.push(...this.queued[c]!.splice(0), ...mine);
      }
    }
    await sendEvents(this.producers, now, topicOf);
    for (const e of now) this.producedPerCluster[e.cluster]!++;
    // a few malformed records in the middle of every hour, on a cluster that is up
    for (let h = Math.ceil((from - HOUR / 2) / HOUR); h * HOUR + HOUR / 2 < to; h++) {
      const c = this.paused[h % 2] ? 1 - (h % 2) : h % 2;
      const bad = badInput();
      await this.producers[c]!.send({ topic: topicOf('clicks'), messages: bad.map((value, i) => ({ key: `bad-${h}-${i}`, value, timestamp: String(this.plan.t0 + h * HOUR + HOUR / 2) })) });
      this.expected.bad += bad.length;
      this.producedPerCluster[c]! += bad.length;
    }
  }
}
