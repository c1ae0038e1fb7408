import { describe, expect, it } from 'vitest';
import { CallEndState, type CallPhase, type CallSnapshot } from '@duplex/client';
import { CALL_END_REASONS, CallEndReason, DEFAULT_TIMEOUTS } from '@duplex/protocol';
import {
  ANSWERED_ELSEWHERE_TEXT,
  QUALITY_LABEL,
  describeCallFailure,
  describeCallState,
  describeEndReason,
  describeFailedCall,
  describeMediaError,
  describeRemoteCameraOff,
  describeRemoteMuted,
  formatCodec,
  formatDuration,
  formatKbps,
  formatRoute,
  initialOf,
  summarizeStats,
  wasAnsweredElsewhere,
} from '@/lib/call-text';
import { callSnapshot, callStats } from './support/call-fixtures';

function ended(endReason: CallSnapshot['endReason'], overrides: Partial<CallSnapshot> = {}) {
  return callSnapshot({ phase: 'ended', endReason, ...overrides });
}

describe('describeCallState', () => {
  const lines: Record<Exclude<CallPhase, 'ended'>, string> = {
    idle: 'Calling Bob…',
    'ringing-out': 'Calling Bob…',
    'ringing-in': 'Bob is calling…',
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
  };
  for (const [phase, line] of Object.entries(lines) as [CallPhase, string][]) {
    it(`${phase}: "${line}"`, () => {
      expect(describeCallState(callSnapshot({ phase }))).toBe(line);
    });
  }

  it('says why an ended call ended', () => {
    expect(describeCallState(ended(CallEndState.RemoteHangup))).toBe('Call ended — Bob hung up');
    expect(describeCallState(ended(CallEndState.Hangup))).toBe('Call ended — you hung up');
  });
});

describe('describeEndReason', () => {
  // Every end state of the client, from the caller's and the callee's side; the peer is Bob.
  const words: Record<string, { caller: string; callee: string }> = {
    [CallEndState.Hangup]: { caller: 'you hung up', callee: 'you hung up' },
    [CallEndState.RemoteHangup]: { caller: 'Bob hung up', callee: 'Bob hung up' },
    [CallEndState.Declined]: { caller: 'Bob declined', callee: 'you declined' },
    [CallEndState.Timeout]: { caller: "Bob didn't answer", callee: "you didn't answer" },
    [CallEndState.PeerDisconnected]: {
      caller: "Bob's connection was lost",
      callee: "Bob's connection was lost",
    },
    [CallEndState.Busy]: { caller: 'Bob is busy', callee: 'Bob is busy' },
    [CallEndState.PeerUnavailable]: {
      caller: 'Bob is not reachable right now',
      callee: 'Bob is not reachable right now',
    },
    [CallEndState.Failed]: {
      caller: 'the call could not connect',
      callee: 'the call could not connect',
    },
    [CallEndState.MediaTimeout]: {
      caller: 'the call could not connect',
      callee: 'the call could not connect',
    },
    [CallEndState.AnsweredElsewhere]: {
      caller: 'answered on another tab',
      callee: 'answered on another tab',
    },
    [CallEndState.MediaError]: {
      caller: 'your camera or microphone could not be opened',
      callee: 'your camera or microphone could not be opened',
    },
    [CallEndState.RemoteMediaError]: {
      caller: "Bob's camera or microphone could not be opened",
      callee: "Bob's camera or microphone could not be opened",
    },
  };

  it('covers every end state of the client', () => {
    expect(Object.keys(words).sort()).toEqual(Object.values(CallEndState).sort());
  });

  for (const [state, byRole] of Object.entries(words)) {
    for (const role of ['caller', 'callee'] as const) {
      it(`${state}, on the ${role}'s side: "${byRole[role]}"`, () => {
        expect(describeEndReason(ended(state, { role }))).toBe(byRole[role]);
      });
    }
  }

  it('has words of its own for every end reason of the protocol', () => {
    for (const reason of CALL_END_REASONS) {
      const text = describeEndReason(ended(reason));
      expect(text, reason).not.toBe(reason);
      expect(text, reason).toBe(words[reason]!.caller);
    }
  });

  it('tells a lost connection from one that never came up', () => {
    expect(describeEndReason(ended(CallEndState.Failed, { startedAt: null }))).toBe(
      'the call could not connect',
    );
    expect(describeEndReason(ended(CallEndState.Failed, { startedAt: 1_700_000_000_000 }))).toBe(
      'the connection was lost',
    );
  });

  it('blames the connection to the server when the signalling session was lost', () => {
    for (const name of ['SessionLost', 'ConnectionClosed']) {
      const snapshot = ended(CallEndState.Failed, {
        startedAt: 1_700_000_000_000,
        error: { name, message: 'gone' },
      });
      expect(describeEndReason(snapshot), name).toBe('your connection to the server was lost');
    }
  });

  it('shows a reason it does not know as it came', () => {
    expect(describeEndReason(ended('gone-fishing'))).toBe('gone-fishing');
  });

  it('says "failed" when no reason is known', () => {
    expect(describeEndReason(ended(null))).toBe('failed');
  });
});

describe('describeFailedCall', () => {
  const seconds = DEFAULT_TIMEOUTS.mediaConnectTimeoutMs / 1000;
  const couldNotConnect = {
    title: 'The call could not connect',
    detail: `Your browser and Bob's could not reach each other within ${seconds} seconds. A firewall, a VPN or a strict network on either side can block calls: try again, or from another network (mobile data, home Wi-Fi).`,
    code: CallEndReason.Failed,
  };

  it('explains media that never connected, and what to try', () => {
    expect(describeFailedCall(ended(CallEndState.MediaTimeout))).toEqual(couldNotConnect);
    expect(describeFailedCall(ended(CallEndState.Failed, { startedAt: null }))).toEqual(
      couldNotConnect,
    );
  });

  it('explains a media timeout the same way even after the call had connected once', () => {
    const snapshot = ended(CallEndState.MediaTimeout, { startedAt: 1_700_000_000_000 });
    expect(describeFailedCall(snapshot)).toEqual(couldNotConnect);
  });

  it('explains a call that dropped after connecting', () => {
    const snapshot = ended(CallEndState.Failed, { startedAt: 1_700_000_000_000 });
    expect(describeFailedCall(snapshot)).toEqual({
      title: 'The connection was lost',
      detail:
        'The call with Bob dropped and could not be restored. Check your network, then call again.',
      code: CallEndReason.Failed,
    });
  });

  it('explains a call cut off by the lost connection to the server', () => {
    const snapshot = ended(CallEndState.Failed, {
      startedAt: null,
      error: { name: 'SessionLost', message: 'resume expired' },
    });
    expect(describeFailedCall(snapshot)).toEqual({
      title: 'The call was cut off',
      detail: 'Your connection to the server was lost. Check your network, then call again.',
      code: CallEndReason.Failed,
    });
  });

  it('says nothing for every other end, nor for a call still going', () => {
    const others = Object.values(CallEndState).filter(
      (state) => state !== CallEndState.Failed && state !== CallEndState.MediaTimeout,
    );
    for (const state of [...others, null, 'gone-fishing']) {
      expect(describeFailedCall(ended(state)), String(state)).toBeNull();
    }
    const live = callSnapshot({ phase: 'reconnecting', endReason: CallEndState.Failed });
    expect(describeFailedCall(live)).toBeNull();
  });
});

describe('wasAnsweredElsewhere', () => {
  it('is true only for an ended call answered in another session', () => {
    expect(wasAnsweredElsewhere(ended(CallEndState.AnsweredElsewhere))).toBe(true);
    expect(wasAnsweredElsewhere(ended(CallEndState.Hangup))).toBe(false);
    const ringing = callSnapshot({
      phase: 'ringing-in',
      endReason: CallEndState.AnsweredElsewhere,
    });
    expect(wasAnsweredElsewhere(ringing)).toBe(false);
    expect(ANSWERED_ELSEWHERE_TEXT).toBe('Answered on another tab');
  });
});

describe("the other party's media", () => {
  it('says who is muted and whose camera is off', () => {
    expect(describeRemoteMuted('Bob')).toBe('Bob is muted');
    expect(describeRemoteCameraOff('Bob')).toBe("Bob's camera is off");
  });
});

describe('describeMediaError', () => {
  it('tells how to unblock a denied camera and microphone', () => {
    for (const name of ['NotAllowedError', 'PermissionDeniedError']) {
      expect(describeMediaError({ name, message: '' }, true)).toEqual({
        title: 'Camera and microphone access was blocked.',
        detail:
          "Allow the camera and microphone for this site (the icon at the left of the address bar, or the browser's site settings), then try again.",
        code: name,
      });
    }
    expect(describeMediaError({ name: 'NotAllowedError', message: '' }, false)).toEqual({
      title: 'Microphone access was blocked.',
      detail:
        "Allow the microphone for this site (the icon at the left of the address bar, or the browser's site settings), then try again.",
      code: 'NotAllowedError',
    });
  });

  it('suggests an audio call when there is no camera', () => {
    expect(describeMediaError({ name: 'NotFoundError', message: '' }, true)).toEqual({
      title: 'No camera or microphone was found.',
      detail:
        'Plug one in (or check that it is enabled), then try again. Without a camera, an audio call still works.',
      code: 'NotFoundError',
    });
    expect(describeMediaError({ name: 'DevicesNotFoundError', message: '' }, false)).toEqual({
      title: 'No microphone was found.',
      detail: 'Plug one in, or check that it is enabled in your system settings, then try again.',
      code: 'DevicesNotFoundError',
    });
  });

  it('points at another app holding the device', () => {
    for (const name of ['NotReadableError', 'TrackStartError']) {
      expect(describeMediaError({ name, message: '' }, false)).toEqual({
        title: 'Your microphone could not be started.',
        detail:
          'Another app (a video call, a recorder) may be using it. Close that app, or unplug and reconnect the device, then try again.',
        code: name,
      });
    }
  });

  it('explains impossible constraints and insecure pages', () => {
    expect(describeMediaError({ name: 'OverconstrainedError', message: '' }, true)).toEqual({
      title: 'Your camera and microphone cannot provide what the call asks for.',
      detail: 'Try another device, or an audio call.',
      code: 'OverconstrainedError',
    });
    for (const name of ['NotSupportedError', 'SecurityError']) {
      expect(describeMediaError({ name, message: '' }, true)).toEqual({
        title: 'This page cannot use the camera and microphone.',
        detail:
          'Browsers allow them only on secure pages: open the site over HTTPS (or on localhost).',
        code: name,
      });
    }
  });

  it("passes on the browser's own words for an error it does not know", () => {
    expect(
      describeMediaError({ name: 'AbortError', message: 'Starting videoinput failed' }, true),
    ).toEqual({
      title: 'Your camera and microphone could not be opened.',
      detail: 'Starting videoinput failed',
      code: 'AbortError',
    });
    expect(describeMediaError({ name: '', message: '' }, false)).toEqual({
      title: 'Your microphone could not be opened.',
      detail: null,
      code: null,
    });
  });
});

describe('describeCallFailure', () => {
  function failure(name: string, message: string, code?: string) {
    return Object.assign(new Error(message), { name }, code === undefined ? {} : { code });
  }

  it('describes the media error inside a media failure', () => {
    const error = Object.assign(new Error('media'), {
      name: 'CallMediaError',
      mediaError: { name: 'NotAllowedError', message: 'Permission denied' },
    });
    expect(describeCallFailure(error, 'Bob', false)).toEqual(
      describeMediaError({ name: 'NotAllowedError', message: 'Permission denied' }, false),
    );
  });

  it('describes a rejection that is no error object at all', () => {
    for (const error of [undefined, null]) {
      expect(describeCallFailure(error, 'Bob', false).title).toEqual(expect.any(String));
    }
  });

  it("words the server's refusals", () => {
    expect(describeCallFailure(failure('RequestError', 'x', 'busy'), 'Bob', true)).toEqual({
      title: 'Bob is busy.',
      detail: 'They are in another call. Try again in a while.',
      code: 'busy',
    });
    expect(
      describeCallFailure(failure('RequestError', 'x', 'peer_unavailable'), 'Bob', true),
    ).toEqual({
      title: 'Bob is not reachable right now.',
      detail: 'They may have left the room or lost their connection.',
      code: 'peer_unavailable',
    });
    expect(describeCallFailure(failure('RequestError', 'x', 'rate_limited'), 'Bob', true)).toEqual({
      title: 'Too many calls at once.',
      detail: 'Wait a moment, then try again.',
      code: 'rate_limited',
    });
  });

  it('words the failures of this side', () => {
    expect(describeCallFailure(failure('InvalidStateError', 'busy'), 'Bob', true)).toEqual({
      title: 'You are already in a call.',
      detail: 'Hang up first.',
      code: null,
    });
    expect(describeCallFailure(failure('ConnectionClosedError', 'closed'), 'Bob', true)).toEqual({
      title: 'Could not call Bob: the connection closed.',
      detail: 'Try again once you are connected.',
      code: null,
    });
    expect(describeCallFailure(failure('RequestTimeoutError', 'late'), 'Bob', true)).toEqual({
      title: 'Could not call Bob: the server did not answer in time.',
      detail: 'Check your connection, then try again.',
      code: null,
    });
  });

  it('falls back to the message and any code', () => {
    expect(
      describeCallFailure(failure('RequestError', 'bad sdp', 'bad_message'), 'Bob', true),
    ).toEqual({ title: 'Could not call Bob.', detail: 'bad sdp', code: 'bad_message' });
    expect(describeCallFailure('socket gone', 'Bob', true)).toEqual({
      title: 'Could not call Bob.',
      detail: 'socket gone',
      code: null,
    });
  });

  it('does not take a media failure without a media error for one', () => {
    const error = Object.assign(new Error('odd'), { mediaError: null });
    expect(describeCallFailure(error, 'Bob', true)).toEqual({
      title: 'Could not call Bob.',
      detail: 'odd',
      code: null,
    });
  });
});

describe('formatDuration', () => {
  it('reads mm:ss under an hour and h:mm:ss after', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(65_400)).toBe('01:05');
    expect(formatDuration(3_599_000)).toBe('59:59');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('counts a negative span (clock skew) as zero', () => {
    expect(formatDuration(-2_000)).toBe('00:00');
  });
});

describe('call statistics', () => {
  it('shortens codecs to their names', () => {
    expect(formatCodec('audio/opus')).toBe('opus');
    expect(formatCodec('video/VP8')).toBe('VP8');
    expect(formatCodec('Video/H264')).toBe('H264');
    expect(formatCodec(null)).toBe('—');
  });

  it('writes bit rates in kbps, and in Mbps from 10 000 kbps', () => {
    expect(formatKbps(null)).toBe('—');
    expect(formatKbps(0)).toBe('0 kbps');
    expect(formatKbps(9_999)).toBe('9999 kbps');
    expect(formatKbps(10_000)).toBe('10.0 Mbps');
    expect(formatKbps(12_345)).toBe('12.3 Mbps');
  });

  it('says whether the media go direct or through a TURN relay', () => {
    const route = (local: string | null, remote: string | null) =>
      formatRoute(callStats({ localCandidateType: local, remoteCandidateType: remote }));
    expect(route('host', 'host')).toBe('host → host (direct)');
    expect(route('srflx', 'prflx')).toBe('srflx → prflx (direct)');
    expect(route('relay', 'host')).toBe('relay → host (via TURN)');
    expect(route('host', 'relay')).toBe('host → relay (via TURN)');
    expect(route('srflx', null)).toBe('srflx → ? (direct)');
    expect(route(null, null)).toBe('—');
  });

  it('sums up quality, round trip and loss in one line', () => {
    expect(summarizeStats(null)).toBe('Call quality: measuring…');
    expect(summarizeStats(callStats())).toBe('Call quality: measuring…');
    expect(summarizeStats(callStats({ quality: 'good', rttMs: 42, packetLossPct: 0.5 }))).toBe(
      'Call quality: good · round trip 42 ms · 0.5% loss',
    );
    expect(summarizeStats(callStats({ quality: 'poor', packetLossPct: 12 }))).toBe(
      'Call quality: poor · 12% loss',
    );
    expect(summarizeStats(callStats({ quality: 'fair', rttMs: 0 }))).toBe(
      'Call quality: fair · round trip 0 ms',
    );
  });

  it('labels every quality', () => {
    expect(QUALITY_LABEL).toEqual({
      good: 'Good',
      fair: 'Fair',
      poor: 'Poor',
      unknown: 'Measuring…',
    });
  });
});

describe('initialOf', () => {
  it('takes the first character of the name, capitalised', () => {
    expect(initialOf('bob')).toBe('B');
    expect(initialOf('  élise')).toBe('É');
    expect(initialOf('😀 Party')).toBe('😀');
    expect(initialOf('   ')).toBe('?');
    expect(initialOf('')).toBe('?');
  });
});
