import type { CallOutcome } from '../src/index.js';

/** Sample server data, written from PROTOCOL.md. */

export const TS = '2024-05-06T07:08:09.123Z';
export const alice = { userId: 'u-1', name: 'Alice' };
export const bob = { userId: 'u-2', name: 'Bob' };

/** A text message as r1 servers wrote it: no `kind`. Text is stored as sent. */
export const textMessage = {
  room: 'lobby',
  seq: 1,
  clientId: 'c-1',
  from: alice,
  text: '  hi\n',
  ts: TS,
};

const STARTED_AT = '2024-05-06T07:10:00.000Z';
const ANSWERED_AT = '2024-05-06T07:10:04.250Z';
const ENDED_AT = '2024-05-06T07:12:34.750Z';

/** A `CallRecord` for each outcome: `answeredAt` and `durationMs` exactly when accepted. */
export const callRecords: Record<CallOutcome, Record<string, unknown>> = {
  completed: {
    callId: 'call-1',
    caller: alice,
    callee: bob,
    video: true,
    outcome: 'completed',
    startedAt: STARTED_AT,
    answeredAt: ANSWERED_AT,
    endedAt: ENDED_AT,
    durationMs: 150_500,
  },
  failed: {
    callId: 'call-2',
    caller: bob,
    callee: alice,
    video: false,
    outcome: 'failed',
    startedAt: STARTED_AT,
    answeredAt: ANSWERED_AT,
    endedAt: '2024-05-06T07:10:24.250Z',
    durationMs: 20_000,
  },
  missed: {
    callId: 'call-3',
    caller: alice,
    callee: bob,
    video: false,
    outcome: 'missed',
    startedAt: STARTED_AT,
    endedAt: '2024-05-06T07:10:30.000Z',
  },
  declined: {
    callId: 'call-4',
    caller: alice,
    callee: bob,
    video: true,
    outcome: 'declined',
    startedAt: STARTED_AT,
    endedAt: '2024-05-06T07:10:02.000Z',
  },
};

/** The `ChatMessage` of `kind: "call"` the server stores when a call ends. */
export function callMessage(record: Record<string, unknown>, seq = 2): Record<string, unknown> {
  return { room: 'lobby', seq, kind: 'call', call: record, ts: record.endedAt };
}
