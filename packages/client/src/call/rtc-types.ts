/**
 * The parts of the WebRTC and Media Capture APIs the call layer uses, declared structurally so
 * that this package type-checks without the DOM library and runs in Node. The browser's
 * `RTCPeerConnection`, `MediaStream`, `MediaStreamTrack` and `navigator.mediaDevices.getUserMedia`
 * all fit; tests pass fakes.
 */
import type { IceCandidate, IceServer } from '@duplex/protocol';

// Declared through a method signature so that parameters compare bivariantly: the DOM's handlers
// take richer event types (and a `this`), and still fit.
type Handler<T> = { bivarianceHack(event: T): void }['bivarianceHack'];

export type SdpType = 'offer' | 'answer' | 'pranswer' | 'rollback';

export interface SessionDescriptionLike {
  readonly type: SdpType;
  readonly sdp?: string;
}

/** What `setLocalDescription` / `setRemoteDescription` take. */
export interface SessionDescriptionInitLike {
  type: SdpType;
  sdp?: string;
}

export interface IceCandidateLike {
  toJSON(): {
    candidate?: string;
    sdpMid?: string | null;
    sdpMLineIndex?: number | null;
    usernameFragment?: string | null;
  };
}

/** An `RTCIceCandidateInit`; the protocol's `IceCandidate` minus its `null`. */
export type IceCandidateInitLike = NonNullable<IceCandidate>;

export interface MediaStreamTrackLike {
  readonly id: string;
  readonly kind: string;
  enabled: boolean;
  readonly muted: boolean;
  readonly readyState: string;
  stop(): void;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface MediaStreamLike {
  readonly id: string;
  getTracks(): MediaStreamTrackLike[];
  getAudioTracks(): MediaStreamTrackLike[];
  getVideoTracks(): MediaStreamTrackLike[];
  addTrack(track: MediaStreamTrackLike): void;
  removeTrack(track: MediaStreamTrackLike): void;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface RtpSenderLike {
  readonly track: MediaStreamTrackLike | null;
  replaceTrack(track: MediaStreamTrackLike | null): Promise<void>;
  /** Absent in older browsers. */
  setStreams?(...streams: MediaStreamLike[]): void;
}

export type TransceiverDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped';

export interface RtpTransceiverLike {
  readonly mid: string | null;
  direction: TransceiverDirection;
  readonly sender: RtpSenderLike;
  readonly receiver: { readonly track: MediaStreamTrackLike };
}

export interface TrackEventLike {
  readonly track: MediaStreamTrackLike;
  readonly streams: readonly MediaStreamLike[];
}

export interface IceCandidateEventLike {
  readonly candidate: IceCandidateLike | null;
}

/** An `RTCStatsReport`: a read-only map of stats objects by id. */
export interface StatsReportLike {
  forEach(callback: (value: unknown, key: string) => void): void;
  get(id: string): unknown;
}

export type PeerConnectionState =
  'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
export type SignalingState =
  | 'stable'
  | 'have-local-offer'
  | 'have-remote-offer'
  | 'have-local-pranswer'
  | 'have-remote-pranswer'
  | 'closed';

/** The subset of `RTCConfiguration` a caller may set (`iceTransportPolicy: 'relay'` for tests). */
export interface RtcConfigurationLike {
  iceServers?: IceServer[];
  iceTransportPolicy?: 'all' | 'relay';
  bundlePolicy?: 'balanced' | 'max-bundle' | 'max-compat';
  rtcpMuxPolicy?: 'require';
  iceCandidatePoolSize?: number;
}

export interface PeerConnectionLike {
  readonly signalingState: SignalingState;
  readonly connectionState: PeerConnectionState;
  readonly localDescription: SessionDescriptionLike | null;
  readonly remoteDescription: SessionDescriptionLike | null;
  onnegotiationneeded: Handler<unknown> | null;
  onicecandidate: Handler<IceCandidateEventLike> | null;
  ontrack: Handler<TrackEventLike> | null;
  onconnectionstatechange: Handler<unknown> | null;
  setLocalDescription(description?: SessionDescriptionInitLike): Promise<void>;
  setRemoteDescription(description: SessionDescriptionInitLike): Promise<void>;
  addIceCandidate(candidate?: IceCandidateInitLike): Promise<void>;
  addTrack(track: MediaStreamTrackLike, ...streams: MediaStreamLike[]): RtpSenderLike;
  addTransceiver(
    kind: 'audio' | 'video',
    init?: { direction?: TransceiverDirection; streams?: MediaStreamLike[] },
  ): RtpTransceiverLike;
  getSenders(): RtpSenderLike[];
  getTransceivers(): RtpTransceiverLike[];
  restartIce(): void;
  setConfiguration(configuration: RtcConfigurationLike): void;
  getConfiguration(): RtcConfigurationLike;
  getStats(): Promise<StatsReportLike>;
  close(): void;
}

export type PeerConnectionConstructor = new (
  configuration?: RtcConfigurationLike,
) => PeerConnectionLike;

export interface MediaConstraintsLike {
  audio: boolean;
  video: boolean;
}

export type GetUserMedia = (constraints: MediaConstraintsLike) => Promise<MediaStreamLike>;

export type MediaStreamConstructor = new () => MediaStreamLike;
