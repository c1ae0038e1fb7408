/** Protocol version spoken by this package; `hello.protocol` must equal it. */
export const PROTOCOL_VERSION = 1;

export const ErrorCode = {
  BadJson: 'bad_json',
  BadMessage: 'bad_message',
  UnknownEvent: 'unknown_event',
  Unauthenticated: 'unauthenticated',
  UnsupportedProtocol: 'unsupported_protocol',
  ResumeExpired: 'resume_expired',
  NotInRoom: 'not_in_room',
  NotInCall: 'not_in_call',
  BadState: 'bad_state',
  PeerUnavailable: 'peer_unavailable',
  Busy: 'busy',
  RateLimited: 'rate_limited',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const ERROR_CODES = Object.values(ErrorCode) as readonly ErrorCode[];

export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  TryAgainLater: 1013,
  HelloTimeout: 4001,
  UnsupportedProtocol: 4002,
  SessionTakenOver: 4003,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client must not reconnect on its own. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.Normal,
  CloseCode.PolicyViolation,
  CloseCode.UnsupportedProtocol,
  CloseCode.SessionTakenOver,
]);

export function isTerminalCloseCode(code: number): boolean {
  return TERMINAL_CLOSE_CODES.has(code);
}

/** Code of every HTTP 400 body: `{code: "bad_request", message}`. */
export const HTTP_BAD_REQUEST = 'bad_request';

/** `reason`s of `call.bye` and `call.decline` that carry a meaning; others are shown as given. */
export const CallEndReason = {
  Declined: 'declined',
  Busy: 'busy',
  Hangup: 'hangup',
  Timeout: 'timeout',
  PeerDisconnected: 'peer_disconnected',
  AnsweredElsewhere: 'answered_elsewhere',
  /** Media never connected, or ICE failed for good. */
  Failed: 'failed',
} as const;
export type CallEndReason = (typeof CallEndReason)[keyof typeof CallEndReason];
export const CALL_END_REASONS = Object.values(CallEndReason) as readonly CallEndReason[];

/** How a call ended, as stored in the room's history. */
export const CallOutcome = {
  Completed: 'completed',
  Missed: 'missed',
  Declined: 'declined',
  Failed: 'failed',
} as const;
export type CallOutcome = (typeof CallOutcome)[keyof typeof CallOutcome];
export const CALL_OUTCOMES = Object.values(CallOutcome) as readonly CallOutcome[];

/** Kinds of `ChatMessage`. A client skips a kind it does not know. */
export const MessageKind = {
  Text: 'text',
  Call: 'call',
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];
