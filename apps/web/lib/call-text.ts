import { CallEndState, type CallSnapshot, type CallStats } from '@duplex/client';
import {
  CallEndReason,
  CallOutcome,
  DEFAULT_TIMEOUTS,
  ErrorCode,
  type CallRecord,
  type User,
} from '@duplex/protocol';

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
    case CallEndState.Hangup:
      return 'you hung up';
    case CallEndState.RemoteHangup:
      return `${name} hung up`;
    case CallEndState.Declined:
      return caller ? `${name} declined` : 'you declined';
    case CallEndState.Timeout:
      return caller ? `${name} didn't answer` : `you didn't answer`;
    case CallEndState.PeerDisconnected:
      return `${name}'s connection was lost`;
    case CallEndState.Busy:
      return `${name} is busy`;
    case CallEndState.AnsweredElsewhere:
      return 'answered on another tab';
    case CallEndState.PeerUnavailable:
      return `${name} is not reachable right now`;
    case CallEndState.MediaError:
      return 'your camera or microphone could not be opened';
    case CallEndState.RemoteMediaError:
      return `${name}'s camera or microphone could not be opened`;
    case CallEndState.MediaTimeout:
      return 'the call could not connect';
    case CallEndState.Failed:
      if (lostTheServer(snapshot)) return 'your connection to the server was lost';
      return snapshot.startedAt === null ? 'the call could not connect' : 'the connection was lost';
    case null:
      return 'failed';
    default:
      // A reason the peer or the server made up; shown as it came.
      return snapshot.endReason;
  }
}

function lostTheServer(snapshot: CallSnapshot): boolean {
  return snapshot.error?.name === 'SessionLost' || snapshot.error?.name === 'ConnectionClosed';
}

const MEDIA_CONNECT_SECONDS = Math.round(DEFAULT_TIMEOUTS.mediaConnectTimeoutMs / 1000);

/**
 * What to tell someone whose call failed (`failed` on the wire: its media never connected, or
 * the connection was lost for good), in full: what happened and what to try. Null for every
 * other end (the state line says enough).
 */
export function describeFailedCall(snapshot: CallSnapshot): CallProblem | null {
  if (snapshot.phase !== 'ended') return null;
  const { endReason, startedAt } = snapshot;
  const name = snapshot.peer.name;
  if (endReason !== CallEndState.Failed && endReason !== CallEndState.MediaTimeout) return null;
  if (endReason === CallEndState.Failed && lostTheServer(snapshot)) {
    return {
      title: 'The call was cut off',
      detail: 'Your connection to the server was lost. Check your network, then call again.',
      code: CallEndReason.Failed,
    };
  }
  if (endReason === CallEndState.MediaTimeout || startedAt === null) {
    return {
      title: 'The call could not connect',
      detail: `Your browser and ${name}'s could not reach each other within ${MEDIA_CONNECT_SECONDS} seconds. A firewall, a VPN or a strict network on either side can block calls: try again, or from another network (mobile data, home Wi-Fi).`,
      code: CallEndReason.Failed,
    };
  }
  return {
    title: 'The connection was lost',
    detail: `The call with ${name} dropped and could not be restored. Check your network, then call again.`,
    code: CallEndReason.Failed,
  };
}

/** A ringing call that another tab (or device) of yours answered or declined first. */
export function wasAnsweredElsewhere(snapshot: CallSnapshot): boolean {
  return snapshot.phase === 'ended' && snapshot.endReason === CallEndState.AnsweredElsewhere;
}

export const ANSWERED_ELSEWHERE_TEXT = 'Answered on another tab';

/** The other party's microphone is off (their `call.media`). */
export function describeRemoteMuted(name: string): string {
  return `${name} is muted`;
}

/** The other party's camera is off (their `call.media`): their initial shows instead. */
export function describeRemoteCameraOff(name: string): string {
  return `${name}'s camera is off`;
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
  const { name, message, code } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  const text = typeof message === 'string' ? message : String(error);
  switch (code) {
    case ErrorCode.Busy:
      return {
        title: `${peerName} is busy.`,
        detail: 'They are in another call. Try again in a while.',
        code,
      };
    case ErrorCode.PeerUnavailable:
      return {
        title: `${peerName} is not reachable right now.`,
        detail: 'They may have left the room or lost their connection.',
        code,
      };
    case ErrorCode.RateLimited:
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

/** mm:ss under an hour, h:mm:ss after; negative spans (clock skew) count as zero. */
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

/** m:ss under an hour, h:mm:ss after ("0:42", "3:24", "1:02:03"): a finished call's length. */
export function formatCallLength(ms: number): string {
  const [hours, minutes, seconds] = splitDuration(ms);
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/** The same length as an ISO 8601 duration ("PT3M24S"), for `<time dateTime>`. */
export function isoDuration(ms: number): string {
  const [hours, minutes, seconds] = splitDuration(ms);
  return `PT${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}${seconds}S`;
}

function splitDuration(ms: number): [hours: number, minutes: number, seconds: number] {
  const total = Math.max(0, Math.floor(ms / 1000));
  return [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
}

/** Who is looking at a call's record: one of its two parties, or another member of the room. */
export type CallRecordViewer = 'caller' | 'callee' | 'other';

export function callRecordViewer(record: CallRecord, ownUserId: string | null): CallRecordViewer {
  if (ownUserId !== null && record.caller.userId === ownUserId) return 'caller';
  if (ownUserId !== null && record.callee.userId === ownUserId) return 'callee';
  return 'other';
}

/** How long a call was connected: `durationMs`, or from its accept to its end. Null if never. */
export function callLengthMs(record: CallRecord): number | null {
  if (record.durationMs !== undefined) return record.durationMs;
  if (record.answeredAt === undefined) return null;
  const length = Date.parse(record.endedAt) - Date.parse(record.answeredAt);
  return Number.isFinite(length) ? Math.max(0, length) : null;
}

export function callKindLabel(video: boolean): string {
  return video ? 'Video call' : 'Audio call';
}

type RecordWords = (parties: { caller: User; callee: User }, viewer: CallRecordViewer) => string;

/** The headline of a call's row in the room's history, by outcome, from the viewer's side. */
const OUTCOME_HEADLINES: Record<Exclude<CallOutcome, typeof CallOutcome.Completed>, RecordWords> = {
  [CallOutcome.Missed]: ({ caller, callee }, viewer) =>
    viewer === 'callee'
      ? `You missed a call from ${caller.name}`
      : viewer === 'caller'
        ? `${callee.name} didn't answer`
        : `Missed call from ${caller.name}`,
  [CallOutcome.Declined]: ({ caller, callee }, viewer) =>
    viewer === 'caller'
      ? `${callee.name} declined your call`
      : viewer === 'callee'
        ? `You declined a call from ${caller.name}`
        : 'Call declined',
  [CallOutcome.Failed]: () => 'Call failed — media could not connect',
};

/** "You called Bob", "Ann called you", "Ann called Bob". */
function whoCalledWhom({ caller, callee }: CallRecord, viewer: CallRecordViewer): string {
  if (viewer === 'caller') return `You called ${callee.name}`;
  if (viewer === 'callee') return `${caller.name} called you`;
  return `${caller.name} called ${callee.name}`;
}

export interface CallRecordText {
  /** "Video call", "You missed a call from Ann", "Call declined"... */
  headline: string;
  /** How long a completed call was connected, "3:24" (and "PT3M24S"); null for the others. */
  length: { text: string; iso: string } | null;
  /** Who called whom, and what kind of call when the headline does not say it. */
  detail: string;
}

/**
 * The words of a call's row in the room's history. A completed call shows its kind and length
 * ("Video call · 3:24"); the others say what happened, from the side of the one reading
 * (caller, callee, or another member).
 */
export function describeCallRecord(record: CallRecord, ownUserId: string | null): CallRecordText {
  const viewer = callRecordViewer(record, ownUserId);
  const kind = callKindLabel(record.video);
  const parties = whoCalledWhom(record, viewer);
  if (record.outcome === CallOutcome.Completed) {
    const ms = callLengthMs(record);
    const length = ms === null ? null : { text: formatCallLength(ms), iso: isoDuration(ms) };
    return { headline: kind, length, detail: parties };
  }
  return {
    headline: OUTCOME_HEADLINES[record.outcome](record, viewer),
    length: null,
    detail: `${kind} · ${parties}`,
  };
}
