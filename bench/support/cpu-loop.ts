/**
 * The `scale` suite's machine reference, forked by bench/scale.ts: the keyed job's own per-record
 * work without Weir or Kafka (JSON.parse of an order, a running sum per customer in a Map), so
 * 1 vs 2 of these processes shows how far this machine scales CPU-bound JavaScript at all.
 * Argument: how many records this process handles. It warms up on a tenth of them, answers
 * 'ready', runs on 'go' and answers `{ ms }` (wall time of the timed pass).
 */

const records = Number(process.argv[2]);
const lines: string[] = [];
for (let i = 0; i < 10_000; i++) lines.push(JSON.stringify({ customer: `customer-${(i * 7919) % 10_000}`, amount: i % 100 }));

function pass(n: number): number {
  const sums = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const o = JSON.parse(lines[i % lines.length]!) as { customer: string; amount: number };
    sums.set(o.customer, (sums.get(o.customer) ?? 0) + o.amount);
  }
  return sums.size;
}

pass(Math.ceil(records / 10));
process.send?.('ready');
process.on('message', (m) => {
  if (m !== 'go') return;
  const t0 = performance.now();
  pass(records);
  process.send?.({ ms: performance.now() - t0 }, () => process.exit(0));
});
