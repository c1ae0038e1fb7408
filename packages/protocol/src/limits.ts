export interface Limits {
  /** Largest client→server message in bytes (fragments summed); larger closes with 1009. */
  maxFrameBytes: number;
  /** Token-bucket refill rate per connection. */
  messagesPerSecond: number;
  /** Token-bucket capacity per connection. */
  burst: number;
  /** Longest chat text in Unicode code points, after trimming. */
  maxTextChars: number;
  /** Largest server→client frame on `/ws`, in bytes; always {@link MAX_SERVER_FRAME_BYTES}. */
  maxServerFrameBytes: number;
}

/** No server→client frame on `/ws` is larger: a client with a 1 MiB receive limit never fails. */
export const MAX_SERVER_FRAME_BYTES = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  messagesPerSecond: 20,
  burst: 40,
  maxTextChars: 4000,
  maxServerFrameBytes: MAX_SERVER_FRAME_BYTES,
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
  /** More than this many × `burst` frames rejected within {@link rejectedWindowMs} closes with 1008. */
  rejectedFactor: 10,
  rejectedWindowMs: 10_000,
  /** Longest `identity` a `hello` may present; a longer one starts a new user. */
  identityMaxChars: 512,
  /** Most members listed in a `room.join` ack; `online` carries the full count. */
  membersInJoinAck: 100,
  membersPageSize: 100,
  membersPageMaxLimit: 500,
  /**
   * Presence changes within a room's coalescing window of its last presence frame are sent as
   * one diff. The window is this long, or {@link presenceCoalesceMsPerMember} × `online` when
   * that is longer, at most {@link presenceCoalesceMaxMs}: see {@link presenceCoalesceWindowMs}.
   */
  presenceCoalesceMs: 100,
  /**
   * Lengthens the window of large rooms: a room of up to 5,000 members sends at most 5,000
   * presence frames a second (one per member per window), however many join.
   */
  presenceCoalesceMsPerMember: 0.2,
  presenceCoalesceMaxMs: 1000,
  /**
   * Most users a `presence.diff` names in `joined`, and in `left`; `joinedCount` and `leftCount`
   * carry the full numbers. Keeps a room where everyone (re)joins at once from costing N² bytes.
   */
  presenceDiffMaxUsers: 20,
});

/**
 * How long presence changes of a room are collected after one of its presence frames went out,
 * when that frame counted `online` members: 100 ms up to 500 members, then 0.2 ms per member,
 * at most 1 s.
 */
export function presenceCoalesceWindowMs(online: number): number {
  const { presenceCoalesceMs, presenceCoalesceMsPerMember, presenceCoalesceMaxMs } =
    PROTOCOL_BOUNDS;
  return Math.min(
    presenceCoalesceMaxMs,
    Math.max(presenceCoalesceMs, online * presenceCoalesceMsPerMember),
  );
}

export const DEFAULT_TIMEOUTS = Object.freeze({
  helloTimeoutMs: 10_000,
  resumeGraceMs: 5_000,
  callRingTimeoutMs: 30_000,
  turnTtlSeconds: 3_600,
  /** A client whose call media have not connected this long after the accept ends it `failed`. */
  mediaConnectTimeoutMs: 20_000,
  /** After a failed connection, the callee restarts ICE itself if no new offer came by then. */
  calleeIceRestartWaitMs: 5_000,
});
