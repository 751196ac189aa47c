import { describe, expect, it } from 'vitest';
import { VERSION } from '@weir/core';

describe('smoke', () => {
  it('resolves the workspace package from source', () => {
    expect(VERSION).toBe('0.1.0');
  });
});
