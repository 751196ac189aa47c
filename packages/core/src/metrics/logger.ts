import { consoleLoggerArgsSchema } from '../options/core-schemas.js';
import { validateOptions } from '../options/validate.js';

/**
 * One log method. Call it with a message, or with an object of structured fields and an
 * optional message (pino's argument order).
 */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

/**
 * The logger the runtime writes to. pino's `Logger` satisfies it structurally, so a pino
 * instance can be passed as is; {@link consoleLogger} and {@link silentLogger} need no dependency.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every entry (e.g. `{ step: 'enrich' }`). */
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity };

export interface ConsoleLoggerOptions {
  /** Where each JSON line (with its trailing newline) goes; defaults to process.stderr. */
  write?: (line: string) => void;
  /** Wall clock for the `time` field (epoch ms). */
  now?: () => number;
}

/** Errors do not JSON-serialise their message or stack; give them pino's `err` shape. */
function serialiseError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  if (err.cause !== undefined) out.cause = err.cause instanceof Error ? serialiseError(err.cause) : err.cause;
  return out;
}

function toFields(obj: object): Record<string, unknown> {
  if (obj instanceof Error) return { err: serialiseError(obj) };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) fields[key] = value instanceof Error ? serialiseError(value) : value;
  return fields;
}

function stringify(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (cause) {
    // Circular structures must not make logging throw; keep level, time and message.
    return JSON.stringify({ level: entry.level, time: entry.time, msg: entry.msg, logError: String(cause) });
  }
}

function makeLogger(threshold: number, bindings: Record<string, unknown>, write: (line: string) => void, now: () => number): Logger {
  const method = (level: Exclude<LogLevel, 'silent'>): LogFn => {
    if (LEVEL_RANK[level] < threshold) return () => {};
    return (objOrMsg: object | string, msg?: string) => {
      const fields = typeof objOrMsg === 'string' ? {} : toFields(objOrMsg);
      const message = typeof objOrMsg === 'string' ? objOrMsg : msg;
      const entry: Record<string, unknown> = { level, time: now(), ...bindings, ...fields };
      if (message !== undefined) entry.msg = message;
      write(stringify(entry) + '\n');
    };
  };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (childBindings) => makeLogger(threshold, { ...bindings, ...childBindings }, write, now),
  };
}

/**
 * A dependency-free logger writing one JSON object per line to stderr:
 * `{"level":"info","time":1700000000000,...bindings,...fields,"msg":"..."}`.
 * Entries below `level` (default `info`) are dropped without formatting.
 */
export function consoleLogger(level: LogLevel = 'info', options: ConsoleLoggerOptions = {}): Logger {
  validateOptions(consoleLoggerArgsSchema, { level, options }, 'consoleLogger arguments');
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  return makeLogger(LEVEL_RANK[level], {}, write, options.now ?? Date.now);
}

const noop = (): void => {};

/** A logger that discards everything (the default in tests and embedded use). */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
});
