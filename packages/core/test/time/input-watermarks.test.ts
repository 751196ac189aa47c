import { describe, expect, it } from 'vitest';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../src/time/types.js';
import { InputWatermarks } from '../../src/time/input-watermarks.js';

describe('InputWatermarks', () => {
  it('emits the minimum over inputs, only once every input has reported', () => {
    const iw = new InputWatermarks(2);
    expect(iw.update(0, 100, false)).toEqual({ watermark: MIN_WATERMARK, idle: false, changed: false });
    expect(iw.update(1, 50, false)).toEqual({ watermark: 50, idle: false, changed: true });
    expect(iw.update(1, 150, false)).toEqual({ watermark: 100, idle: false, changed: true });
    expect(iw.update(0, 120, false)).toEqual({ watermark: 120, idle: false, changed: true });
  });

  it('ignores a stale (lower) watermark from an input', () => {
    const iw = new InputWatermarks(2);
    iw.update(0, 100, false);
    iw.update(1, 200, false);
    expect(iw.update(0, 20, false)).toEqual({ watermark: 100, idle: false, changed: false });
    expect(iw.inputs()).toEqual([
      { watermark: 100, idle: false },
      { watermark: 200, idle: false },
    ]);
  });

  it('an idle input is ignored; when it returns behind, the output does not go back', () => {
    const iw = new InputWatermarks(3);
    iw.update(0, 10, false);
    iw.update(1, 20, false);
    iw.update(2, 30, false);
    expect(iw.current().watermark).toBe(10);
    expect(iw.update(0, 10, true)).toEqual({ watermark: 20, idle: false, changed: true });
    expect(iw.update(1, 40, false).watermark).toBe(30);
    // Input 0 becomes active while behind the output: output holds at 30, does not drop to 15.
    expect(iw.update(0, 15, false)).toEqual({ watermark: 30, idle: false, changed: false });
    expect(iw.update(2, 50, false).watermark).toBe(30);
    expect(iw.update(0, 45, false).watermark).toBe(40);
  });

  it('all inputs idle gives an idle output at the last watermark', () => {
    const iw = new InputWatermarks(2);
    iw.update(0, 10, false);
    iw.update(1, 20, false);
    iw.update(0, 10, true);
    expect(iw.update(1, 20, true)).toEqual({ watermark: 20, idle: true, changed: true });
    expect(iw.current()).toEqual({ watermark: 20, idle: true, changed: false });
    expect(iw.update(0, 25, false)).toEqual({ watermark: 25, idle: false, changed: true });
  });

  it('reaches MAX_WATERMARK once every non-idle input has ended', () => {
    const iw = new InputWatermarks(2);
    iw.update(0, MAX_WATERMARK, false);
    iw.update(1, 70, false);
    expect(iw.current().watermark).toBe(70);
    expect(iw.update(1, MAX_WATERMARK, false)).toEqual({ watermark: MAX_WATERMARK, idle: false, changed: true });
  });

  it('validates the input count and index', () => {
    expect(() => new InputWatermarks(0)).toThrow(RangeError);
    const iw = new InputWatermarks(1);
    expect(() => iw.update(1, 0, false)).toThrow(RangeError);
    expect(() => iw.update(-1, 0, false)).toThrow(RangeError);
  });
});
