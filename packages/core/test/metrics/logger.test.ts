import { describe, expect, it } from 'vitest';
import { consoleLogger, silentLogger } from '../../src/metrics/logger.js';
import type { Logger } from '../../src/metrics/logger.js';

/**
 * The shape of pino's Logger (pino 9/10 `LogFn` overloads and `child` signature, trimmed to
 * what matters for assignability). Verified separately against the real pino 9.14 and 10.4 types.
 */
interface PinoLikeLogFn {
  <TMsg extends string = string>(msg: TMsg, ...args: unknown[]): void;
  <T, TMsg extends string = string>(obj: T, msg?: T extends string ? never : TMsg, ...args: unknown[]): void;
}
interface PinoLike {
  level: string;
  fatal: PinoLikeLogFn;
  error: PinoLikeLogFn;
  warn: PinoLikeLogFn;
  info: PinoLikeLogFn;
  debug: PinoLikeLogFn;
  trace: PinoLikeLogFn;
  silent: PinoLikeLogFn;
  child(bindings: Record<string, unknown>, options?: { level?: string }): PinoLike;
  flush(cb?: (err?: Error) => void): void;
}

function pinoLike(entries: unknown[][], bindings: Record<string, unknown> = {}): PinoLike {
  const fn: PinoLikeLogFn = (...args: unknown[]) => void entries.push([bindings, ...args]);
  return {
    level: 'info',
    fatal: fn,
    error: fn,
    warn: fn,
    info: fn,
    debug: fn,
    trace: fn,
    silent: fn,
    child: (b) => pinoLike(entries, { ...bindings, ...b }),
    flush: () => {},
  };
}

describe('Logger interface', () => {
  it('is satisfied by a pino-shaped logger', () => {
    const entries: unknown[][] = [];
    const pino = pinoLike(entries) satisfies Logger;
    const logger: Logger = pino;
    logger.child({ step: 'enrich' }).warn({ lag: 3 }, 'slow');
    logger.info('plain');
    expect(entries).toEqual([
      [{ step: 'enrich' }, { lag: 3 }, 'slow'],
      [{}, 'plain'],
    ]);
  });

  it('rejects objects that are not loggers', () => {
    const noChild = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    // @ts-expect-error: a logger needs child()
    const a: Logger = noChild;
    const wrongArgs = { ...noChild, info: (_n: number) => {}, child: () => silentLogger };
    // @ts-expect-error: log methods must accept a message string
    const b: Logger = wrongArgs;
    expect([a, b]).toHaveLength(2);
  });
});

describe('consoleLogger', () => {
  const capture = (level?: Parameters<typeof consoleLogger>[0]) => {
    const lines: string[] = [];
    const logger = consoleLogger(level, { write: (l) => lines.push(l), now: () => 1_700_000_000_000 });
    return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  it('writes one JSON line per entry with bindings, fields and message', () => {
    const { logger, lines, parsed } = capture();
    logger.child({ job: 'orders' }).child({ step: 'map' }).info({ records: 10 }, 'batch done');
    logger.warn('careful');
    expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    expect(parsed()).toEqual([
      { level: 'info', time: 1_700_000_000_000, job: 'orders', step: 'map', records: 10, msg: 'batch done' },
      { level: 'warn', time: 1_700_000_000_000, msg: 'careful' },
    ]);
  });

  it('drops entries below the level', () => {
    const { logger, parsed } = capture('warn');
    logger.debug('no');
    logger.info({ a: 1 }, 'no');
    logger.error('yes');
    expect(parsed().map((e) => e.msg)).toEqual(['yes']);
    const silent = capture('silent');
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
    const debug = capture('debug');
    debug.logger.debug('shown');
    expect(debug.parsed()).toHaveLength(1);
  });

  it('serialises errors with message and stack, and survives circular objects', () => {
    const { logger, parsed } = capture();
    logger.error({ err: new Error('boom', { cause: new Error('root') }) }, 'failed');
    logger.error(new Error('bare'));
    const circular: Record<string, unknown> = { n: 1n };
    circular.self = circular;
    logger.info(circular, 'loop');
    const [withErr, bare, loop] = parsed();
    expect(withErr!.err).toMatchObject({ type: 'Error', message: 'boom', cause: { message: 'root' } });
    expect(String((withErr!.err as { stack: string }).stack)).toContain('boom');
    expect(bare!.err).toMatchObject({ message: 'bare' });
    expect(loop).toMatchObject({ level: 'info', msg: 'loop' });
    expect(loop!.logError).toMatch(/circular/i);
  });
});

describe('silentLogger', () => {
  it('discards everything and its children are silent too', () => {
    expect(() => silentLogger.child({ a: 1 }).error({ x: 1 }, 'ignored')).not.toThrow();
    expect(silentLogger.child({})).toBe(silentLogger);
  });
});
