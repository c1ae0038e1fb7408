import { EMPTY_CALL_STATS, type CallSnapshot, type CallStats } from '@duplex/client';
import { CallOutcome, type CallRecord, type User } from '@duplex/protocol';

export const ann: User = { userId: '3f2a91c0-7d3e-4b1a-9f00-0a1b2c3d4e5f', name: 'Ann' };
export const bob: User = { userId: '9c01ab77-1e2f-4a3b-8c4d-5e6f7a8b9c0d', name: 'Bob' };
export const carol: User = { userId: 'c4a7d2e9-0b1c-4d2e-8f3a-4b5c6d7e8f90', name: 'Carol' };

/** A call snapshot of this side with `peer`; every field the words may read can be overridden. */
export function callSnapshot(overrides: Partial<CallSnapshot> = {}): CallSnapshot {
  return {
    callId: 'call-1',
    phase: 'connected',
    role: 'caller',
    peer: bob,
    room: 'general',
    video: true,
    remoteVideo: true,
    remoteMedia: null,
    muted: false,
    localStream: null,
    remoteStream: null,
    startedAt: null,
    endReason: null,
    error: null,
    stats: null,
    ...overrides,
  };
}

/** The room's record of a call from Ann to Bob; `answeredAt`/`durationMs` follow the outcome. */
export function callRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  const outcome = overrides.outcome ?? CallOutcome.Completed;
  const accepted = outcome === CallOutcome.Completed || outcome === CallOutcome.Failed;
  return {
    callId: 'call-1',
    caller: ann,
    callee: bob,
    video: true,
    outcome,
    startedAt: '2025-03-01T10:00:00.000Z',
    endedAt: '2025-03-01T10:03:34.000Z',
    ...(accepted ? { answeredAt: '2025-03-01T10:00:10.000Z', durationMs: 204_000 } : {}),
    ...overrides,
  };
}

export function callStats(overrides: Partial<CallStats> = {}): CallStats {
  return { ...EMPTY_CALL_STATS, ...overrides };
}
