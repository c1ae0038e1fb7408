import { describe, expect, it } from 'vitest';
import {
  CALL_END_REASONS,
  CALL_OUTCOMES,
  CLIENT_EVENTS,
  CallEndReason,
  CallOutcome,
  CloseCode,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  ERROR_CODES,
  HTTP_BAD_REQUEST,
  presenceCoalesceWindowMs,
  MAX_SERVER_FRAME_BYTES,
  MessageKind,
  PROTOCOL_BOUNDS,
  PROTOCOL_VERSION,
  SERVER_EVENTS,
  TERMINAL_CLOSE_CODES,
  codePointLength,
  hasControlCharacter,
  hasControlCharacterOtherThanLineFeedOrTab,
  isClientEventName,
  isServerEventName,
  isTerminalCloseCode,
  utf8ByteLength,
} from '../src/index.js';

describe('close codes (PROTOCOL.md table)', () => {
  it.each([
    [1000, 'normal'],
    [1008, 'policy: far past the rate limit'],
    [4002, 'unsupported protocol version'],
    [4003, 'session taken over'],
  ])('%i (%s) is terminal: the client stays closed', (code) => {
    expect(isTerminalCloseCode(code)).toBe(true);
  });

  it.each([
    [1001, 'server going away'],
    [1009, 'frame too large'],
    [1011, 'internal error'],
    [1013, 'overloaded'],
    [4001, 'no hello in time'],
  ])('%i (%s) is not terminal: the client reconnects', (code) => {
    expect(isTerminalCloseCode(code)).toBe(false);
  });

  it('an abnormal closure (1006, network drop) is not terminal', () => {
    expect(isTerminalCloseCode(1006)).toBe(false);
  });

  it('TERMINAL_CLOSE_CODES holds exactly the terminal codes', () => {
    expect([...TERMINAL_CLOSE_CODES].sort()).toEqual([1000, 1008, 4002, 4003]);
  });

  it('CloseCode values match the table', () => {
    expect(CloseCode).toEqual({
      Normal: 1000,
      GoingAway: 1001,
      PolicyViolation: 1008,
      MessageTooBig: 1009,
      InternalError: 1011,
      TryAgainLater: 1013,
      HelloTimeout: 4001,
      UnsupportedProtocol: 4002,
      SessionTakenOver: 4003,
    });
  });
});

describe('error codes', () => {
  it('are exactly the codes of the Errors table', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      [
        'bad_json',
        'bad_message',
        'unknown_event',
        'unauthenticated',
        'unsupported_protocol',
        'resume_expired',
        'not_in_room',
        'not_in_call',
        'bad_state',
        'peer_unavailable',
        'busy',
        'rate_limited',
        'internal',
      ].sort(),
    );
  });
});

describe('constants', () => {
  it('protocol version is 1', () => {
    expect(PROTOCOL_VERSION).toBe(1);
  });

  it('default limits match the spec', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxFrameBytes: 64 * 1024,
      maxServerFrameBytes: 1_048_576,
      messagesPerSecond: 20,
      burst: 40,
      maxTextChars: 4000,
    });
  });

  it('no server frame is larger than 1 MiB (maxServerFrameBytes, always 1048576)', () => {
    expect(MAX_SERVER_FRAME_BYTES).toBe(1_048_576);
    expect(DEFAULT_LIMITS.maxServerFrameBytes).toBe(MAX_SERVER_FRAME_BYTES);
  });

  it('default timeouts match the spec', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({
      helloTimeoutMs: 10_000,
      resumeGraceMs: 5_000,
      callRingTimeoutMs: 30_000,
      turnTtlSeconds: 3_600,
      mediaConnectTimeoutMs: 20_000,
      calleeIceRestartWaitMs: 5_000,
    });
  });

  it('protocol bounds match the spec', () => {
    expect(PROTOCOL_BOUNDS).toEqual({
      idMaxChars: 64,
      nameMaxChars: 32,
      clientIdMaxChars: 64,
      callIdMaxChars: 64,
      reasonMaxChars: 64,
      roomPattern: /^[a-z0-9][a-z0-9-]{0,39}$/,
      sdpMaxBytes: 48 * 1024,
      historyPageSize: 50,
      historyRecoveryMax: 500,
      httpHistoryMaxLimit: 200,
      rejectedFactor: 10,
      rejectedWindowMs: 10_000,
      identityMaxChars: 512,
      membersInJoinAck: 100,
      membersPageSize: 100,
      membersPageMaxLimit: 500,
      presenceCoalesceMs: 100,
      presenceCoalesceMsPerMember: 0.2,
      presenceCoalesceMaxMs: 1000,
      presenceDiffMaxUsers: 20,
    });
    expect(PROTOCOL_BOUNDS.roomPattern.source).toBe('^[a-z0-9][a-z0-9-]{0,39}$');
    expect(PROTOCOL_BOUNDS.roomPattern.flags).toBe('');
  });

  it('the HTTP 400 body code is bad_request', () => {
    expect(HTTP_BAD_REQUEST).toBe('bad_request');
  });
});

describe('call end reasons', () => {
  it('are the reasons with a meaning listed in the Calls section', () => {
    expect(CallEndReason).toEqual({
      Declined: 'declined',
      Busy: 'busy',
      Hangup: 'hangup',
      Timeout: 'timeout',
      PeerDisconnected: 'peer_disconnected',
      AnsweredElsewhere: 'answered_elsewhere',
      Failed: 'failed',
    });
  });

  it('CALL_END_REASONS lists each once', () => {
    expect([...CALL_END_REASONS].sort()).toEqual(
      [
        'declined',
        'busy',
        'hangup',
        'timeout',
        'peer_disconnected',
        'answered_elsewhere',
        'failed',
      ].sort(),
    );
  });

  it('each fits the 1–64 character bound of a reason', () => {
    for (const reason of CALL_END_REASONS) {
      expect(codePointLength(reason)).toBeGreaterThanOrEqual(1);
      expect(codePointLength(reason)).toBeLessThanOrEqual(PROTOCOL_BOUNDS.reasonMaxChars);
    }
  });
});

describe('call outcomes', () => {
  it('are completed, missed, declined and failed', () => {
    expect(CallOutcome).toEqual({
      Completed: 'completed',
      Missed: 'missed',
      Declined: 'declined',
      Failed: 'failed',
    });
    expect([...CALL_OUTCOMES].sort()).toEqual(['completed', 'declined', 'failed', 'missed']);
  });
});

describe('message kinds', () => {
  it('are text and call', () => {
    expect(MessageKind).toEqual({ Text: 'text', Call: 'call' });
  });
});

describe('event names', () => {
  it('client events are those of the spec tables', () => {
    expect([...CLIENT_EVENTS].sort()).toEqual(
      [
        'hello',
        'ping',
        'ice.refresh',
        'room.join',
        'room.leave',
        'chat.send',
        'chat.typing',
        'call.invite',
        'call.accept',
        'call.decline',
        'call.offer',
        'call.answer',
        'call.candidate',
        'call.bye',
        'call.media',
      ].sort(),
    );
  });

  it('server events are those of the spec tables', () => {
    expect([...SERVER_EVENTS].sort()).toEqual(
      [
        'presence.joined',
        'presence.left',
        'presence.renamed',
        'presence.diff',
        'chat.message',
        'chat.typing',
        'call.invite',
        'call.accept',
        'call.decline',
        'call.offer',
        'call.answer',
        'call.candidate',
        'call.bye',
        'call.media',
      ].sort(),
    );
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'ack', 'error', ''])(
    '%j is neither a client nor a server event',
    (name) => {
      expect(isClientEventName(name)).toBe(false);
      expect(isServerEventName(name)).toBe(false);
    },
  );
});

describe('text helpers', () => {
  it('codePointLength counts code points, not UTF-16 units', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀')).toBe(1);
    expect(codePointLength('😀'.repeat(32))).toBe(32);
    expect(codePointLength('e\u0301')).toBe(2);
  });

  it('utf8ByteLength counts UTF-8 bytes', () => {
    expect(utf8ByteLength('a')).toBe(1);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
  });

  it('hasControlCharacter is true exactly for Unicode Cc in U+0000–U+00FF', () => {
    for (let cp = 0; cp <= 0xff; cp++) {
      const isCc = cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
      expect(hasControlCharacter(`a${String.fromCodePoint(cp)}b`), `U+${cp.toString(16)}`).toBe(
        isCc,
      );
    }
  });

  it('hasControlCharacterOtherThanLineFeedOrTab allows only LF and TAB among Cc', () => {
    for (let cp = 0; cp <= 0xff; cp++) {
      const isCc = cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
      const expected = isCc && cp !== 0x0a && cp !== 0x09;
      expect(
        hasControlCharacterOtherThanLineFeedOrTab(String.fromCodePoint(cp)),
        `U+${cp.toString(16)}`,
      ).toBe(expected);
    }
  });

  it('characters outside Latin-1 are not Cc (U+2028, U+200B, U+FEFF)', () => {
    expect(hasControlCharacter('\u2028\u200b\ufeff')).toBe(false);
  });
});

describe('presenceCoalesceWindowMs', () => {
  it('is 100 ms up to 500 members, 0.2 ms per member beyond, and 1 s from 5,000', () => {
    expect(presenceCoalesceWindowMs(0)).toBe(100);
    expect(presenceCoalesceWindowMs(500)).toBe(100);
    expect(presenceCoalesceWindowMs(1000)).toBe(200);
    expect(presenceCoalesceWindowMs(2500)).toBe(500);
    expect(presenceCoalesceWindowMs(5000)).toBe(1000);
    expect(presenceCoalesceWindowMs(50_000)).toBe(1000);
  });
});
