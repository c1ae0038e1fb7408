export type ReadyStateName = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

// The WebSocket.CONNECTING… constants, usable where `WebSocket` is undefined (server render).
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyStateValue = (typeof ReadyState)[ReadyStateName];

const NAMES: readonly ReadyStateName[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

export function readyStateName(value: number): ReadyStateName {
  return NAMES[value] ?? 'CLOSED';
}
