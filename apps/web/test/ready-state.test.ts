import { describe, expect, it } from 'vitest';
import { ReadyState, readyStateName, type ReadyStateName } from '@/lib/ready-state';

describe('readyStateName', () => {
  it("names each of WebSocket's ready states", () => {
    expect([0, 1, 2, 3].map(readyStateName)).toEqual(['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
    for (const name of Object.keys(ReadyState) as ReadyStateName[]) {
      expect(readyStateName(ReadyState[name])).toBe(name);
    }
  });

  it('reads a value it does not know as CLOSED', () => {
    expect(readyStateName(4)).toBe('CLOSED');
    expect(readyStateName(-1)).toBe('CLOSED');
  });
});
