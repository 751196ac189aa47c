// The Node way to end a job: `await using` suspends it at the end of the scope, an AbortSignal
// (also one aborted before the start) suspends it with a savepoint.
import { describe, expect, it } from 'vitest';
import { Pipeline, generatorSource, heapStateBackend, memorySink, silentLogger, type Job, type PipelineOptions } from '@weir/core';
import { tempDir } from '../runtime/helpers.js';

async function start(options: Partial<PipelineOptions> = {}): Promise<Job> {
  const p = new Pipeline({ name: 'dispose', checkpoints: { dir: await tempDir(), intervalMs: 0 }, stateBackend: heapStateBackend(), logger: silentLogger, ...options });
  p.source('n', generatorSource({ splits: 1, ratePerSecond: 1000, generate: (_s, o) => o })).sink('out', memorySink<number>());
  return p.start();
}

describe('ending a job the Node way', () => {
  it('await using suspends the job when the scope ends', async () => {
    let job: Job | undefined;
    {
      await using scoped = await start();
      job = scoped;
    }
    const result = await job.done;
    expect(result.outcome).toBe('suspended');
    expect(result.savepoint?.metadata.kind).toBe('savepoint');
  });

  it('a signal aborted before the start suspends the job at once', async () => {
    const job = await start({ signal: AbortSignal.abort() });
    const result = await job.done;
    expect(result.outcome).toBe('suspended');
    expect(result.savepoint).toBeDefined();
  });
});
