/**
 * The mailbox serialises every action that touches operators: a source's batch, a watermark,
 * a checkpoint barrier, a processing-time timer. One action runs at a time, start to finish,
 * so operators never see interleaved calls and the graph is quiescent between actions —
 * which is what makes a barrier injected at every source within one action a consistent cut.
 * (Flink's task mailbox model, with one mailbox for the whole in-process job.)
 */

import { isPromise, type MaybePromise } from './maybe-async.js';

export class Mailbox {
  private tail: Promise<void> = Promise.resolve();
  private failed: unknown;
  private closed = false;

  /** Run `action` after every earlier action finished. Rejects if the action fails. */
  submit<T>(action: () => MaybePromise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new MailboxClosedError());
    const run = this.tail.then(() => {
      if (this.failed !== undefined) throw this.failed;
      if (this.closed) throw new MailboxClosedError();
      const r = action();
      return isPromise(r) ? r : Promise.resolve(r);
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** After a failure nothing else runs: the job is restarting. */
  fail(error: unknown): void {
    if (this.failed === undefined) this.failed = error;
  }

  close(): void {
    this.closed = true;
  }

  /** Resolves once every action submitted so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}

export class MailboxClosedError extends Error {
  constructor() {
    super('mailbox closed: the job is stopping');
  }
}
