import { CallEndReason, ErrorCode, type User } from '@duplex/protocol';
import type { MediaStreamLike } from './rtc-types.js';

/**
 * - `idle`: an outgoing call not yet rung (waiting for the camera or the invite's ack).
 * - `ringing-out` / `ringing-in`: invited, not accepted yet.
 * - `connecting`: accepted; negotiating and checking ICE.
 * - `connected`: media flows (`connectionState === 'connected'`).
 * - `reconnecting`: the connection was lost (ICE `disconnected` or `failed`); ICE restarts.
 * - `ended`: over; `endReason` tells why.
 */
export type CallPhase =
  'idle' | 'ringing-out' | 'ringing-in' | 'connecting' | 'connected' | 'reconnecting' | 'ended';

export type CallRole = 'caller' | 'callee';

/**
 * The `reason` this client gives in `call.decline` or `call.bye` when its camera or microphone
 * cannot be opened. Not one of the protocol's reasons: other clients show it as given.
 */
export const MEDIA_ERROR_REASON = 'media-error';

/**
 * Why a call ended, from this side's point of view (`CallSnapshot.endReason`). Where the
 * protocol has a reason, the value is the protocol's ({@link CallEndReason}).
 */
export const CallEndState = {
  /** This side hung up. */
  Hangup: CallEndReason.Hangup,
  /** The other side hung up (its `call.bye` with reason `hangup`, or a cancelled ring). */
  RemoteHangup: 'remote-hangup',
  /** The callee declined (on the caller's side), or this side declined (on the callee's). */
  Declined: CallEndReason.Declined,
  /** Nobody accepted within the ring timeout. */
  Timeout: CallEndReason.Timeout,
  /** The other side's connection to the server was lost for good. */
  PeerDisconnected: CallEndReason.PeerDisconnected,
  /** The invite was refused: the callee (or this side) is in another call. */
  Busy: CallEndReason.Busy,
  /** The invite was refused: the callee is not reachable in that room. */
  PeerUnavailable: ErrorCode.PeerUnavailable,
  /**
   * The connection could not be kept up (ICE failed for good), the signalling session was lost
   * (`error.name` `SessionLost` or `ConnectionClosed`), or the other side ended it `failed`.
   */
  Failed: CallEndReason.Failed,
  /** The media never connected within 20 s of the accept: this side ended it (`failed` on the wire). */
  MediaTimeout: 'media-timeout',
  /** Ringing here, the call was answered (or declined) in another session of this user. */
  AnsweredElsewhere: CallEndReason.AnsweredElsewhere,
  /** This side's camera or microphone could not be opened (`error` says why). */
  MediaError: MEDIA_ERROR_REASON,
  /** The other side's camera or microphone could not be opened. */
  RemoteMediaError: 'remote-media-error',
} as const;

/** One of {@link CallEndState}, or a reason the peer or the server gave that this client does not know. */
export type CallEndState = (typeof CallEndState)[keyof typeof CallEndState] | (string & {});

/** Whether a party's microphone (`audio`) and camera (`video`) are on, as `call.media` says it. */
export interface MediaState {
  readonly audio: boolean;
  readonly video: boolean;
}

export type CallQuality = 'good' | 'fair' | 'poor' | 'unknown';

export interface CallStats {
  readonly rttMs: number | null;
  readonly outboundKbps: number | null;
  readonly inboundKbps: number | null;
  readonly packetLossPct: number | null;
  /** The codec's `mimeType`, e.g. `audio/opus`. */
  readonly audioCodec: string | null;
  readonly videoCodec: string | null;
  /** `host`, `srflx`, `prflx` or `relay`. */
  readonly localCandidateType: string | null;
  readonly remoteCandidateType: string | null;
  /** Remote video frames were decoded since the previous sample; null on the first sample. */
  readonly receivingVideo: boolean | null;
  readonly quality: CallQuality;
}

/** A call as the UI shows it. Immutable: a change makes a new snapshot. */
export interface CallSnapshot {
  readonly callId: string;
  readonly phase: CallPhase;
  readonly role: CallRole;
  readonly peer: User;
  readonly room: string;
  /** The local camera is sending (or, before the call is connected, will send). */
  readonly video: boolean;
  /** A live, unmuted remote video track exists. */
  readonly remoteVideo: boolean;
  /**
   * The other side's microphone and camera as it last announced them (`call.media`), at once,
   * before the media would show it; `null` until it did.
   */
  readonly remoteMedia: MediaState | null;
  readonly muted: boolean;
  readonly localStream: MediaStreamLike | null;
  readonly remoteStream: MediaStreamLike | null;
  /** When the call first connected, ms since the epoch. */
  readonly startedAt: number | null;
  readonly endReason: CallEndState | null;
  /** The last media error (`NotAllowedError`, `NotFoundError`, `NotReadableError`...). */
  readonly error: { readonly name: string; readonly message: string } | null;
  readonly stats: CallStats | null;
}
