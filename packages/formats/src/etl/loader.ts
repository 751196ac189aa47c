/**
 * Rules from a JSON file, hot-reloaded: a change of the file (directory watch, plus polling as a
 * fallback) is validated and compiled off the data path, then proposed to a broadcast value so
 * every step switches at the next checkpoint barrier. An invalid file is reported and ignored:
 * the rules in effect stay.
 */

import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { validateOptions, type BroadcastValue, type Pipeline, type ProposeFn } from '@weir/core';
import { rulesFileWatchOptionsSchema } from '../options/schemas.js';
import { compileRules, type CompiledRules } from './rules.js';
import { watchAndPoll } from '../util/watch-and-poll.js';

/** Options of {@link watchRulesFile}. */
export interface RulesFileWatchOptions {
  /** Poll interval in ms (default 1000); file change events also reload at once (debounced 30 ms). */
  intervalMs?: number;
  /** The rules already in effect: an unchanged file is not proposed again. */
  initial?: CompiledRules;
  /** A rejected file (unreadable, bad JSON, invalid rules); the rules in effect stay. */
  onError?: (error: Error) => void;
  /** New rules were proposed (they take effect at the next barrier). */
  onProposed?: (rules: CompiledRules) => void;
}

/** A running watch of a rules file. */
export interface RulesFileWatch {
  /** Re-read the file now; resolves to whether new rules were proposed. Rejects when the file is rejected. */
  reload(): Promise<boolean>;
  /** The error of the last rejected file, cleared by the next accepted one. */
  readonly lastError: Error | undefined;
  /** Stop watching. */
  close(): void;
}

/** Read, parse, validate and compile a rules file; errors name the file. */
export async function loadRulesFile(path: string): Promise<CompiledRules> {
  return parseRules(await readFile(path, 'utf8'), path);
}

function parseRules(text: string, path: string): CompiledRules {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  try {
    return compileRules(raw);
  } catch (err) {
    (err as Error).message = `${path}: ${(err as Error).message}`;
    throw err;
  }
}

/**
 * Watch `path` and propose every new valid configuration to `target` (a broadcast value or its
 * propose function). Reloads run one at a time.
 */
export function watchRulesFile(path: string, target: BroadcastValue<CompiledRules> | ProposeFn<CompiledRules>, options: RulesFileWatchOptions = {}): RulesFileWatch {
  validateOptions(rulesFileWatchOptionsSchema, options, 'watchRulesFile options');
  const propose: ProposeFn<CompiledRules> = typeof target === 'function' ? target : (r) => target.propose(r);
  let known = options.initial?.fingerprint ?? (typeof target === 'function' ? undefined : target.current().fingerprint);
  let lastText: string | undefined;
  let lastError: Error | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;
  let closed = false;

  /** Record a rejected file; report it once (polling re-reads an unchanged bad file quietly). */
  const reject = (error: Error, text: string | undefined): never => {
    const repeated = lastError !== undefined && lastError.message === error.message;
    lastError = error;
    lastText = text;
    if (!repeated) options.onError?.(error);
    throw error;
  };
  const once = async (): Promise<boolean> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      return reject(new Error(`${path}: cannot read the rules: ${(err as Error).message}`), undefined);
    }
    if (text === lastText) {
      if (lastError !== undefined) throw lastError;
      return false;
    }
    let rules: CompiledRules;
    try {
      rules = parseRules(text, path);
    } catch (err) {
      return reject(err as Error, text);
    }
    lastText = text;
    lastError = undefined;
    if (rules.fingerprint === known || closed) return false;
    known = rules.fingerprint;
    propose(rules);
    options.onProposed?.(rules);
    return true;
  };
  const reload = (): Promise<boolean> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = once().finally(() => {
      running = undefined;
      if (again && !closed) {
        again = false;
        void reload().catch(() => undefined);
      }
    });
    return running;
  };
  const trigger = () => {
    if (!closed) reload().catch(() => undefined); // reported through onError / lastError
  };

  // watch the directory: editors replace files by rename, which ends a watch on the file itself
  const stopWatch = watchAndPoll(dirname(path), { only: basename(path), debounceMs: 30, intervalMs: options.intervalMs ?? 1000 }, trigger);
  trigger(); // a change between the initial load and this watch is not missed

  return {
    reload,
    get lastError() {
      return lastError;
    },
    close() {
      closed = true;
      stopWatch();
    },
  };
}

/**
 * Load a rules file and register it as a broadcast value of `pipeline` that follows the file
 * while the job runs: `.flatMap('etl', etlStep(await broadcastRulesFile(p, 'etl', path)))`.
 */
export async function broadcastRulesFile(
  pipeline: Pipeline,
  name: string,
  path: string,
  options: Omit<RulesFileWatchOptions, 'initial'> = {},
): Promise<BroadcastValue<CompiledRules>> {
  validateOptions(rulesFileWatchOptionsSchema, options, 'broadcastRulesFile options');
  const initial = await loadRulesFile(path);
  return pipeline.broadcast(name, initial, { watch: (propose) => watchRulesFile(path, propose, { ...options, initial }).close });
}
