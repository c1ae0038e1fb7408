export interface Limits {
  /** Largest client→server message in bytes (fragments summed); larger closes with 1009. */
  maxFrameBytes: number;
  /** Token-bucket refill rate per connection. */
  messagesPerSecond: number;
  /** Token-bucket capacity per connection. */
  burst: number;
  /** Longest chat text in Unicode code points, after trimming. */
  maxTextChars: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  messagesPerSecond: 20,
  burst: 40,
  maxTextChars: 4000,
});

/** Fixed bounds of the protocol that are not configurable. */
export const PROTOCOL_BOUNDS = Object.freeze({
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
  /** More than this many × `burst` rejected frames in a row closes with 1008. */
  rejectedRowFactor: 10,
});

export const DEFAULT_TIMEOUTS = Object.freeze({
  helloTimeoutMs: 10_000,
  resumeGraceMs: 5_000,
  callRingTimeoutMs: 30_000,
  turnTtlSeconds: 3_600,
});
