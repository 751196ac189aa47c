/**
 * Runs one bench module in this process and sends its results to the parent (bench/run.ts) over
 * IPC: each module gets a fresh heap, so one suite's data cannot slow the next one's GC.
 */
import type { BenchResult } from './result.js';

const file = process.argv[2];
if (file === undefined || process.send === undefined) throw new Error('usage: forked by bench/run.ts with a module path');
const mod = (await import(file)) as { run: () => Promise<BenchResult[]> };
const results = await mod.run();
// exit once sent: a suite's clients may leave sockets or timers behind
process.send(results, () => process.exit(0));
