import { describe, expect, it } from 'vitest';
import { CALL_OUTCOMES, CallOutcome, type CallRecord } from '@duplex/protocol';
import {
  callKindLabel,
  callLengthMs,
  callRecordViewer,
  describeCallRecord,
  formatCallLength,
  isoDuration,
  type CallRecordViewer,
} from '@/lib/call-text';
import { ann, bob, callRecord, carol } from './support/call-fixtures';

/** Who reads the record, by the userId the page knows for itself. */
const viewers: Record<CallRecordViewer, string | null> = {
  caller: ann.userId,
  callee: bob.userId,
  other: carol.userId,
};

describe('callRecordViewer', () => {
  it('tells the caller, the callee and everyone else apart', () => {
    const record = callRecord();
    expect(callRecordViewer(record, ann.userId)).toBe('caller');
    expect(callRecordViewer(record, bob.userId)).toBe('callee');
    expect(callRecordViewer(record, carol.userId)).toBe('other');
  });

  it('reads a page that does not know its own user yet as another member', () => {
    expect(callRecordViewer(callRecord(), null)).toBe('other');
  });
});

describe('describeCallRecord: a completed call', () => {
  it('shows its kind, its length and who called whom, from each side', () => {
    const record = callRecord({ outcome: CallOutcome.Completed, video: true, durationMs: 204_000 });
    const length = { text: '3:24', iso: 'PT3M24S' };
    expect(describeCallRecord(record, viewers.caller)).toEqual({
      headline: 'Video call',
      length,
      detail: 'You called Bob',
    });
    expect(describeCallRecord(record, viewers.callee)).toEqual({
      headline: 'Video call',
      length,
      detail: 'Ann called you',
    });
    expect(describeCallRecord(record, viewers.other)).toEqual({
      headline: 'Video call',
      length,
      detail: 'Ann called Bob',
    });
  });

  it('names an audio call as one', () => {
    const record = callRecord({ outcome: CallOutcome.Completed, video: false, durationMs: 42_000 });
    expect(describeCallRecord(record, viewers.callee)).toEqual({
      headline: 'Audio call',
      length: { text: '0:42', iso: 'PT42S' },
      detail: 'Ann called you',
    });
  });

  it('measures from the accept to the end when the record has no duration', () => {
    const record = callRecord({
      outcome: CallOutcome.Completed,
      answeredAt: '2025-03-01T10:00:00.000Z',
      endedAt: '2025-03-01T11:02:03.000Z',
      durationMs: undefined,
    });
    expect(describeCallRecord(record, null).length).toEqual({ text: '1:02:03', iso: 'PT1H2M3S' });
  });

  it('shows no length for a call with neither a duration nor an accept', () => {
    const record = callRecord({
      outcome: CallOutcome.Completed,
      answeredAt: undefined,
      durationMs: undefined,
    });
    expect(describeCallRecord(record, null)).toEqual({
      headline: 'Video call',
      length: null,
      detail: 'Ann called Bob',
    });
  });
});

describe('describeCallRecord: calls that did not complete', () => {
  // Every outcome other than `completed`, from each viewer's side: the headline says what
  // happened; the detail gives the kind and who called whom.
  const headlines: Record<
    Exclude<CallOutcome, typeof CallOutcome.Completed>,
    Record<CallRecordViewer, string>
  > = {
    [CallOutcome.Missed]: {
      caller: "Bob didn't answer",
      callee: 'You missed a call from Ann',
      other: 'Missed call from Ann',
    },
    [CallOutcome.Declined]: {
      caller: 'Bob declined your call',
      callee: 'You declined a call from Ann',
      other: 'Call declined',
    },
    [CallOutcome.Failed]: {
      caller: 'Call failed — media could not connect',
      callee: 'Call failed — media could not connect',
      other: 'Call failed — media could not connect',
    },
  };
  const parties: Record<CallRecordViewer, string> = {
    caller: 'You called Bob',
    callee: 'Ann called you',
    other: 'Ann called Bob',
  };

  it('has words for every outcome of the protocol', () => {
    const described = [CallOutcome.Completed, ...Object.keys(headlines)].sort();
    expect(described).toEqual([...CALL_OUTCOMES].sort());
  });

  for (const [outcome, byViewer] of Object.entries(headlines) as [
    CallRecord['outcome'],
    Record<CallRecordViewer, string>,
  ][]) {
    for (const video of [true, false]) {
      const kind = video ? 'Video call' : 'Audio call';
      for (const viewer of ['caller', 'callee', 'other'] as const) {
        it(`${outcome}, ${kind.toLowerCase()}, read by the ${viewer}`, () => {
          const record = callRecord({ outcome, video });
          expect(describeCallRecord(record, viewers[viewer])).toEqual({
            headline: byViewer[viewer],
            length: null,
            detail: `${kind} · ${parties[viewer]}`,
          });
        });
      }
    }
  }

  it('shows no length for a failed call, though it was accepted', () => {
    const record = callRecord({ outcome: CallOutcome.Failed, durationMs: 15_000 });
    expect(describeCallRecord(record, viewers.caller).length).toBeNull();
  });

  it('uses the names the record carries', () => {
    const record = callRecord({
      outcome: CallOutcome.Missed,
      caller: { userId: 'u1', name: 'Zoë' },
      callee: { userId: 'u2', name: 'Åsa' },
    });
    expect(describeCallRecord(record, 'u2').headline).toBe('You missed a call from Zoë');
    expect(describeCallRecord(record, 'u1').headline).toBe("Åsa didn't answer");
  });
});

describe('callLengthMs', () => {
  it('prefers the recorded duration', () => {
    expect(callLengthMs(callRecord({ durationMs: 0 }))).toBe(0);
    expect(callLengthMs(callRecord({ durationMs: 61_500 }))).toBe(61_500);
  });

  it('falls back to the accept and the end', () => {
    const record = callRecord({
      answeredAt: '2025-03-01T10:00:10.000Z',
      endedAt: '2025-03-01T10:00:55.250Z',
      durationMs: undefined,
    });
    expect(callLengthMs(record)).toBe(45_250);
  });

  it('counts an end before the accept (clock skew) as zero', () => {
    const record = callRecord({
      answeredAt: '2025-03-01T10:00:10.000Z',
      endedAt: '2025-03-01T10:00:09.000Z',
      durationMs: undefined,
    });
    expect(callLengthMs(record)).toBe(0);
  });

  it('is null for a call never accepted, or with times it cannot read', () => {
    expect(callLengthMs(callRecord({ outcome: CallOutcome.Missed }))).toBeNull();
    const unreadable = callRecord({ answeredAt: 'yesterday', durationMs: undefined });
    expect(callLengthMs(unreadable)).toBeNull();
  });
});

describe('formatCallLength and isoDuration', () => {
  const cases: [ms: number, text: string, iso: string][] = [
    [0, '0:00', 'PT0S'],
    [999, '0:00', 'PT0S'],
    [1_000, '0:01', 'PT1S'],
    [42_000, '0:42', 'PT42S'],
    [60_000, '1:00', 'PT1M0S'],
    [204_000, '3:24', 'PT3M24S'],
    [3_599_999, '59:59', 'PT59M59S'],
    [3_600_000, '1:00:00', 'PT1H0S'],
    [3_723_000, '1:02:03', 'PT1H2M3S'],
    [36_005_000, '10:00:05', 'PT10H5S'],
  ];
  for (const [ms, text, iso] of cases) {
    it(`${ms} ms reads ${text} (${iso})`, () => {
      expect(formatCallLength(ms)).toBe(text);
      expect(isoDuration(ms)).toBe(iso);
    });
  }

  it('counts a negative span as zero', () => {
    expect(formatCallLength(-5_000)).toBe('0:00');
    expect(isoDuration(-5_000)).toBe('PT0S');
  });
});

describe('callKindLabel', () => {
  it('names video and audio calls', () => {
    expect(callKindLabel(true)).toBe('Video call');
    expect(callKindLabel(false)).toBe('Audio call');
  });
});
