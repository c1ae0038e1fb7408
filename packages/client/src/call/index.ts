export { CallManager, type CallManagerOptions, type CallOptions } from './call-manager.js';
export { CallSession } from './call-session.js';
export type { CallLink } from './call-link.js';
export {
  CallEndState,
  MEDIA_ERROR_REASON,
  type CallPhase,
  type CallQuality,
  type CallRole,
  type CallSnapshot,
  type CallStats,
  type MediaState,
} from './types.js';
export { CallMediaError, type MediaErrorInfo } from './local-media.js';
export { MediaPermissionWatch, type MediaPermissionCheck } from './media-permission.js';
export {
  callQuality,
  EMPTY_CALL_STATS,
  parseCallStats,
  type ParsedStats,
  type StatsSample,
} from './call-stats.js';
export { turnCredentialsExpiring } from './turn-credentials.js';
export type {
  GetUserMedia,
  IceCandidateLike,
  MediaStreamConstructor,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionConstructor,
  PeerConnectionLike,
  PeerConnectionState,
  RtcConfigurationLike,
  RtpSenderLike,
  RtpTransceiverLike,
  StatsReportLike,
  TrackEventLike,
} from './rtc-types.js';
