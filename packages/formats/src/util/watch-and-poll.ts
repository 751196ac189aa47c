/** Change detection shared by the schema registry and the ETL rules loader. */

import { watch, type FSWatcher } from 'node:fs';

/** Options of {@link watchAndPoll}. */
export interface WatchAndPollOptions {
  /** Watch subdirectories too (where the platform supports it; otherwise polling only). */
  recursive?: boolean;
  /** React only to events for this file name in the directory. */
  only?: string;
  debounceMs: number;
  intervalMs: number;
}

/**
 * Call `onChange` after change events in `dir` (debounced; none when `dir` is undefined or cannot
 * be watched) and every `intervalMs` (polling covers missed or unsupported events). Returns stop.
 */
export function watchAndPoll(dir: string | undefined, options: WatchAndPollOptions, onChange: () => void): () => void {
  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  if (dir !== undefined) {
    try {
      watcher = watch(dir, { recursive: options.recursive ?? false }, (_event, name) => {
        if (options.only !== undefined && name !== null && name !== options.only) return;
        clearTimeout(debounce);
        debounce = setTimeout(onChange, options.debounceMs);
      });
      watcher.on('error', () => undefined); // polling still covers it
    } catch {
      watcher = undefined; // no (recursive) watch here: polling only
    }
  }
  const timer = setInterval(onChange, options.intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(debounce);
    watcher?.close();
  };
}
