import { describe, expect, it } from 'vitest';
import { canJoinWith, commonProtocols, selectProtocol } from '../../src/coordinator/protocol-selection.js';
import { protocols } from './group-helpers.js';

const voter = (...names: string[]) => ({ protocols: protocols('m', ...names) });

describe('protocol selection', () => {
  it('only considers protocols every member supports', () => {
    expect(commonProtocols([voter('a', 'b', 'c'), voter('c', 'b'), voter('b', 'c', 'd')])).toEqual(['b', 'c']);
    expect(selectProtocol([voter('a', 'b'), voter('b')])).toBe('b');
    expect(selectProtocol([voter('a'), voter('b')])).toBeNull();
  });

  it('picks the candidate most members prefer, ties going to the earlier candidate', () => {
    expect(selectProtocol([voter('x', 'y'), voter('y', 'x'), voter('y', 'x')])).toBe('y');
    expect(selectProtocol([voter('x', 'y'), voter('y', 'x')])).toBe('x');
    // A member's first choice outside the common set does not count; its next common one does.
    expect(selectProtocol([voter('z', 'y', 'x'), voter('x', 'y'), voter('y', 'x')])).toBe('y');
  });

  it('lets a member join when it shares a protocol with everyone', () => {
    expect(canJoinWith([], protocols('m', 'any'))).toBe(true);
    expect(canJoinWith([voter('a', 'b'), voter('b')], protocols('m', 'b'))).toBe(true);
    expect(canJoinWith([voter('a', 'b'), voter('b')], protocols('m', 'a'))).toBe(false);
    expect(canJoinWith([voter('a')], [])).toBe(false);
  });
});
