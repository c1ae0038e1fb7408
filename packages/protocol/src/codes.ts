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
