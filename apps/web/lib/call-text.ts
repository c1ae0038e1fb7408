import type { CallSnapshot, CallStats } from '@duplex/client';

/**
 * Words for calls: the state line of the call view, why a call ended, why one could not start,
 * and the numbers behind the quality indicator. Kept apart from the components so the wording
 * can be read (and changed) in one place.
 */

/** The browser's name for a camera or microphone failure (`getUserMedia` rejections). */
export interface MediaErrorLike {
  name: string;
  message: string;
}

/** A failure to show in the call's alert: a headline and, when there is one, what to do. */
export interface CallProblem {
  title: string;
  detail: string | null;
  /** The code or error name behind it, shown small for those who want it. */
  code: string | null;
}

/** "Calling Ann…", "Connected", "Call ended — Ann hung up"... for `call-state`. */
export function describeCallState(snapshot: CallSnapshot): string {
  const name = snapshot.peer.name;
  switch (snapshot.phase) {
    case 'idle':
    case 'ringing-out':
      return `Calling ${name}…`;
    case 'ringing-in':
      return `${name} is calling…`;
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'ended':
      return `Call ended — ${describeEndReason(snapshot)}`;
  }
}

/** Why the call ended, from this side's point of view. */
export function describeEndReason(snapshot: CallSnapshot): string {
  const name = snapshot.peer.name;
  const caller = snapshot.role === 'caller';
  switch (snapshot.endReason) {
    case 'hangup':
      return 'you hung up';
    case 'remote-hangup':
      return `${name} hung up`;
    case 'declined':
      return caller ? `${name} declined` : 'you declined';
    case 'timeout':
      return caller ? `${name} didn't answer` : `you didn't answer`;
    case 'peer_disconnected':
      return `${name}'s connection was lost`;
    case 'busy':
      return `${name} is busy`;
    case 'peer_unavailable':
      return `${name} is not reachable right now`;
    case 'media-error':
      return 'your camera or microphone could not be opened';
    case 'remote-media-error':
      return `${name}'s camera or microphone could not be opened`;
    case 'failed':
      return snapshot.error?.name === 'SessionLost' || snapshot.error?.name === 'ConnectionClosed'
        ? 'failed: your connection to the server was lost'
        : 'failed: the connection could not be kept up';
    case null:
      return 'failed';
    default:
      // A reason the peer or the server made up; shown as it came.
      return snapshot.endReason;
  }
}

/** Why the camera or microphone could not be opened, and what to do about it. */
export function describeMediaError(error: MediaErrorLike, video: boolean): CallProblem {
  const devices = video ? 'camera and microphone' : 'microphone';
  const Devices = video ? 'Camera and microphone' : 'Microphone';
  switch (error.name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return {
        title: `${Devices} access was blocked.`,
        detail: `Allow the ${devices} for this site (the icon at the left of the address bar, or the browser's site settings), then try again.`,
        code: error.name,
      };
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return {
        title: video ? 'No camera or microphone was found.' : 'No microphone was found.',
        detail: video
          ? 'Plug one in (or check that it is enabled), then try again. Without a camera, an audio call still works.'
          : 'Plug one in, or check that it is enabled in your system settings, then try again.',
        code: error.name,
      };
    case 'NotReadableError':
    case 'TrackStartError':
      return {
        title: `Your ${devices} could not be started.`,
        detail:
          'Another app (a video call, a recorder) may be using it. Close that app, or unplug and reconnect the device, then try again.',
        code: error.name,
      };
    case 'OverconstrainedError':
      return {
        title: `Your ${devices} cannot provide what the call asks for.`,
        detail: 'Try another device, or an audio call.',
        code: error.name,
      };
    case 'NotSupportedError':
    case 'SecurityError':
      return {
        title: `This page cannot use the ${devices}.`,
        detail:
          'Browsers allow them only on secure pages: open the site over HTTPS (or on localhost).',
        code: error.name,
      };
    default:
      return {
        title: `Your ${devices} could not be opened.`,
        detail: error.message || null,
        code: error.name || null,
      };
  }
}

/** A `call()` failure (RequestError, CallMediaError, a closed connection...) in words. */
export function describeCallFailure(error: unknown, peerName: string, video: boolean): CallProblem {
  if (isMediaFailure(error)) return describeMediaError(error.mediaError, video);
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  switch (code) {
    case 'busy':
      return {
        title: `${peerName} is busy.`,
        detail: 'They are in another call. Try again in a while.',
        code,
      };
    case 'peer_unavailable':
      return {
        title: `${peerName} is not reachable right now.`,
        detail: 'They may have left the room or lost their connection.',
        code,
      };
    case 'rate_limited':
      return { title: 'Too many calls at once.', detail: 'Wait a moment, then try again.', code };
  }
  if (name === 'InvalidStateError') {
    return { title: 'You are already in a call.', detail: 'Hang up first.', code: null };
  }
  if (name === 'ConnectionClosedError') {
    return {
      title: `Could not call ${peerName}: the connection closed.`,
      detail: 'Try again once you are connected.',
      code: null,
    };
  }
  if (name === 'RequestTimeoutError') {
    return {
      title: `Could not call ${peerName}: the server did not answer in time.`,
      detail: 'Check your connection, then try again.',
      code: null,
    };
  }
  return {
    title: `Could not call ${peerName}.`,
    detail: text,
    code: typeof code === 'string' ? code : null,
  };
}

function isMediaFailure(error: unknown): error is { mediaError: MediaErrorLike } {
  if (typeof error !== 'object' || error === null || !('mediaError' in error)) return false;
  const media = (error as { mediaError?: unknown }).mediaError;
  return typeof media === 'object' && media !== null && 'name' in media;
}

/** m:ss under an hour, h:mm:ss after; negative spans (clock skew) count as zero. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${String(minutes).padStart(2, '0')}:${ss}`;
}

export const QUALITY_LABEL: Record<CallStats['quality'], string> = {
  good: 'Good',
  fair: 'Fair',
  poor: 'Poor',
  unknown: 'Measuring…',
};

/** "opus" from "audio/opus"; a dash when unknown. */
export function formatCodec(mimeType: string | null): string {
  if (!mimeType) return '—';
  return mimeType.replace(/^(audio|video)\//i, '');
}

export function formatKbps(kbps: number | null): string {
  if (kbps === null) return '—';
  if (kbps >= 10_000) return `${(kbps / 1000).toFixed(1)} Mbps`;
  return `${kbps} kbps`;
}

/** "host → host (direct)", "relay → host (via TURN)". */
export function formatRoute(stats: CallStats): string {
  const { localCandidateType: local, remoteCandidateType: remote } = stats;
  if (!local && !remote) return '—';
  const relayed = local === 'relay' || remote === 'relay';
  return `${local ?? '?'} → ${remote ?? '?'} (${relayed ? 'via TURN' : 'direct'})`;
}

/** One line for the indicator's tooltip. */
export function summarizeStats(stats: CallStats | null): string {
  if (!stats) return 'Call quality: measuring…';
  const parts = [`Call quality: ${QUALITY_LABEL[stats.quality].toLowerCase()}`];
  if (stats.rttMs !== null) parts.push(`round trip ${stats.rttMs} ms`);
  if (stats.packetLossPct !== null) parts.push(`${stats.packetLossPct}% loss`);
  return parts.join(' · ');
}

/** The first letter of a name, for avatars and the no-video placeholder. */
export function initialOf(name: string): string {
  const first = [...name.trim()][0] ?? '?';
  return first.toUpperCase();
}
