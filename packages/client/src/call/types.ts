import type { User } from '@duplex/protocol';
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
 * Why a call ended. `hangup`: this side hung up; `remote-hangup`: the other side did; the others
 * as the server or the peer gave them (`timeout`, `peer_disconnected`, `declined`...), or
 * `failed` (ICE could not recover, or the signalling session was lost), `media-error` (this
 * side's camera or microphone) and `remote-media-error` (the peer's).
 */
export type CallEndReason =
  | 'hangup'
  | 'remote-hangup'
  | 'remote-media-error'
  | 'declined'
  | 'timeout'
  | 'peer_disconnected'
  | 'busy'
  | 'peer_unavailable'
  | 'failed'
  | 'media-error'
  | (string & {});

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
  readonly muted: boolean;
  readonly localStream: MediaStreamLike | null;
  readonly remoteStream: MediaStreamLike | null;
  /** When the call first connected, ms since the epoch. */
  readonly startedAt: number | null;
  readonly endReason: CallEndReason | null;
  /** The last media error (`NotAllowedError`, `NotFoundError`, `NotReadableError`...). */
  readonly error: { readonly name: string; readonly message: string } | null;
  readonly stats: CallStats | null;
}
